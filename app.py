"""The IMR dashboard: `streamlit run app.py` (scripts/run.sh builds the sample database first).

IMR_DB names the database to read (default data/imr.duckdb); it is opened read-only.
"""

import duckdb
import streamlit as st

from dashboard import data, ui

st.set_page_config(page_title="IMR decisions", layout="wide")

# Printing a page (Chromium's print to PDF): no sidebar, toolbar or buttons, the content the paper's full
# width, each table as its plain HTML copy (ui.print_table) rather than the canvas cut to its scrolling
# window, date fields printed with their value.
PRINT_STYLE = """
<style>
[data-testid="stElementContainer"]:has(.imr-print-table) { display: none; }
.imr-print-table table { border-collapse: collapse; width: 100%; font-size: 0.75rem; }
.imr-print-table th, .imr-print-table td { border: 1px solid #ccc; padding: 2px 4px; text-align: left; }
.imr-print-table thead { display: table-header-group; }
.imr-print-table tr { break-inside: avoid; }
@media print {
  [data-testid="stElementContainer"]:has(.imr-print-table) { display: block; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]),
  [data-testid="stHorizontalBlock"]:has([data-testid="stDownloadButton"], [data-testid="stLinkButton"]),
  [data-testid="stElementContainer"]:has([data-testid="stDownloadButton"], [data-testid="stLinkButton"]) {
    display: none !important;
  }
  [data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"] {
    margin: 0 !important; padding: 0.5rem !important; max-width: 100% !important; width: 100% !important;
    overflow: visible !important; height: auto !important;
  }
  [data-testid="stDateInput"] input { color: #000 !important; -webkit-text-fill-color: #000 !important; }
}
</style>
"""

PAGES = [
    st.Page("dashboard/pages/overview.py", title="Overview", url_path="", default=True),
    st.Page("dashboard/pages/medications.py", title="Medications", url_path="medications"),
    st.Page("dashboard/pages/guidelines.py", title="Guidelines", url_path="guidelines"),
    st.Page("dashboard/pages/reviewers.py", title="Reviewers", url_path="reviewers"),
    st.Page("dashboard/pages/ur_modifications.py", title="UR modifications", url_path="ur-modifications"),
    st.Page("dashboard/pages/reasons.py", title="Reasons", url_path="reasons"),
    st.Page("dashboard/pages/timeliness.py", title="Timeliness", url_path="timeliness"),
    st.Page("dashboard/pages/compare.py", title="Compare", url_path="compare"),
    st.Page("dashboard/pages/letters.py", title="Letters", url_path="letters"),
    st.Page("dashboard/pages/data_quality.py", title="Data quality", url_path="data-quality"),
]

# Overview is served at the root; Streamlit answers its own path, /overview, with "Page not found",
# so the same page is reachable there too (hidden from the menu).
OVERVIEW_ALIAS = st.Page("dashboard/pages/overview.py", title="Overview", url_path="overview", visibility="hidden")

page = st.navigation([*PAGES, OVERVIEW_ALIAS])
st.html(PRINT_STYLE)
try:
    with data.page_view():  # one connection for the view's queries, closed when it ends
        ui.filter_sidebar()
        page.run()
except (data.DatabaseMissing, data.DatabaseBusy, data.QueryTooSlow) as problem:
    st.error(str(problem))
except duckdb.Error as error:
    # DuckDB's message may quote values from the data: shown as text, never as Markdown.
    st.error(
        f"The database at {ui.plain(data.database_path())} could not be read "
        f"({ui.plain(f'{type(error).__name__}: {error}')}). "
        "It may have been built by an older loader: rebuild it with `bash scripts/run.sh`."
    )
