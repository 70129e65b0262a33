"""The IMR dashboard: `streamlit run app.py` (scripts/run.sh builds the sample database first).

IMR_DB names the database to read (default data/imr.duckdb); it is opened read-only.
"""

import duckdb
import streamlit as st

from dashboard import data, ui

st.set_page_config(page_title="IMR decisions", layout="wide")

PAGES = [
    st.Page("dashboard/pages/overview.py", title="Overview", url_path="overview", default=True),
    st.Page("dashboard/pages/medications.py", title="Medications", url_path="medications"),
    st.Page("dashboard/pages/guidelines.py", title="Guidelines", url_path="guidelines"),
    st.Page("dashboard/pages/reviewers.py", title="Reviewers", url_path="reviewers"),
    st.Page("dashboard/pages/ur_modifications.py", title="UR modifications", url_path="ur-modifications"),
    st.Page("dashboard/pages/letters.py", title="Letters", url_path="letters"),
    st.Page("dashboard/pages/data_quality.py", title="Data quality", url_path="data-quality"),
]

page = st.navigation(PAGES)
try:
    with data.page_view():  # one connection for the view's queries, closed when it ends
        ui.filter_sidebar()
        page.run()
except (data.DatabaseMissing, data.DatabaseBusy, data.QueryTooSlow) as problem:
    st.error(str(problem))
except duckdb.Error as error:
    st.error(
        f"The database at {data.database_path()} could not be read ({type(error).__name__}: {error}). "
        "It may have been built by an older loader: rebuild it with `bash scripts/run.sh`."
    )
