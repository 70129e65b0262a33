"""The IMR dashboard: `streamlit run app.py` (scripts/run.sh builds the sample database first).

IMR_DB names the database to read (default data/imr.duckdb); it is opened read-only.
"""

import duckdb
import streamlit as st

from dashboard import data, ui

st.set_page_config(page_title="IMR decisions", layout="wide")

# Printing a page (Chromium's print to PDF): no sidebar or toolbar, the content the paper's full width,
# tables whole rather than cut to their scrolling window, date fields printed with their value.
PRINT_STYLE = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stDownloadButton"], [data-testid="stLinkButton"], [data-testid="stBaseButton-secondary"] {
    display: none !important;
  }
  [data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"] {
    margin: 0 !important; padding: 0.5rem !important; max-width: 100% !important; width: 100% !important;
    overflow: visible !important; height: auto !important;
  }
  [data-testid="stDataFrame"], [data-testid="stDataFrame"] * { overflow: visible !important; max-height: none !important; }
  [data-testid="stDataFrameResizable"] { height: auto !important; }
  [data-testid="stDateInput"] input { color: #000 !important; -webkit-text-fill-color: #000 !important; }
  [data-testid="stVerticalBlock"] > div { break-inside: avoid; }
}
</style>
"""

PAGES = [
    st.Page("dashboard/pages/overview.py", title="Overview", url_path="", default=True),
    st.Page("dashboard/pages/medications.py", title="Medications", url_path="medications"),
    st.Page("dashboard/pages/guidelines.py", title="Guidelines", url_path="guidelines"),
    st.Page("dashboard/pages/reviewers.py", title="Reviewers", url_path="reviewers"),
    st.Page("dashboard/pages/ur_modifications.py", title="UR modifications", url_path="ur-modifications"),
    st.Page("dashboard/pages/letters.py", title="Letters", url_path="letters"),
    st.Page("dashboard/pages/data_quality.py", title="Data quality", url_path="data-quality"),
]

# Overview is served at the root; Streamlit answers its own path, /overview, with "Page not found",
# so the same page is reachable there too (hidden from the menu).
OVERVIEW_ALIAS = st.Page("dashboard/pages/overview.py", title="Overview", url_path="overview", visibility="hidden")

page = st.navigation([*PAGES, OVERVIEW_ALIAS])
st.html(PRINT_STYLE)
try:
    ui.filter_sidebar()
    page.run()
except data.DatabaseMissing as missing:
    st.error(str(missing))
except duckdb.Error as error:
    st.error(
        f"The database at {data.database_path()} could not be read ({type(error).__name__}: {error}). "
        "It may have been built by an older loader: rebuild it with `bash scripts/run.sh`."
    )
