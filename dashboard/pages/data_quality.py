"""Data quality: files loaded and rejected (with reasons), how often each field was found, last load."""

import duckdb
import streamlit as st

from dashboard import data, ui

PAGE = "data-quality"
WARNINGS_SHOWN = 500


def render() -> None:
    st.title("Data quality")
    st.caption("What the loader read, what it turned away and why, and how complete the parsed fields are. "
               "These figures cover the whole database, whatever the filters.")
    filters = data.Filters()
    runs = ui.query("quality_load_runs")
    if runs.is_empty():
        st.warning("No load has been recorded in this database.")
    else:
        last = runs.row(0, named=True)
        loaded_at = last["finished_at"] or last["started_at"]
        st.markdown(
            f"**Last loaded:** {loaded_at:%Y-%m-%d %H:%M} (run {last['run_id']}, parser "
            f"{last['parser_version']}, {last['files_loaded']:,} of {last['files_seen']:,} files loaded)"
        )
    files = ui.query("quality_files")
    columns = st.columns(max(files.height, 1))
    for column, (status, count) in zip(columns, files.iter_rows(), strict=False):
        column.metric(f"Files {status}", f"{count:,}")
    st.subheader("Rejected files")
    ui.table(ui.query("quality_rejection_reasons"), "rejection-reasons", PAGE, filters)
    ui.table(ui.query("quality_rejected"), "rejected-files", PAGE, filters)
    st.subheader("Letters loaded with warnings")
    _warnings(filters)
    st.subheader("How often each field was found")
    st.caption("Drug name and strength count over drug requests; authorized quantity over modified requests.")
    ui.table(ui.query("quality_field_coverage"), "field-coverage", PAGE, filters)
    st.subheader("Load runs")
    ui.table(runs, "load-runs", PAGE, filters)
    ui.decisions_download(PAGE, ui.current_filters())



def _warnings(filters: data.Filters) -> None:
    """The letters the parser loaded but flagged, with what it said (shown as text, never Markdown)."""
    try:
        flagged = ui.query("quality_warnings", limit=WARNINGS_SHOWN)
    except duckdb.BinderException:
        st.info("This database was built before the parser recorded warnings; rebuild it to list them.")
        return
    total = flagged["letters_with_warnings"][0] if flagged.height else 0
    st.metric("Letters with warnings", f"{total:,}")
    if total > flagged.height:
        st.caption(f"The {flagged.height:,} most recently loaded are listed.")
    ui.table(flagged.drop("letters_with_warnings"), "letters-with-warnings", PAGE, filters)


render()
