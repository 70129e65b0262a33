"""UR modifications: denied against modified; for modified requests, how much UR cut and how IMR ruled."""

import polars as pl
import streamlit as st

from dashboard import charts, data, ui

PAGE = "ur-modifications"


def render() -> None:
    filters = ui.page_header(
        "UR modifications",
        "Whether UR denied a request outright or authorized part of it, and how IMR ruled on the rest.",
    )
    ui.rate_note()
    actions = data.with_rates(ui.query("ur_actions", filters))
    ui.rate_section(actions, "ur_action", "Overturn rate: denied against modified", "ur-actions", PAGE, filters)

    st.subheader("Modified requests, by drug class or service")
    groups = data.with_rates(ui.query("ur_modified_by_group", filters)).with_columns(
        share_cut_of_total=1 - pl.col("authorized_quantity") / pl.col("requested_quantity")
    )
    if groups.is_empty():
        st.info("No modified requests match the filters.")
    else:
        left, right = st.columns(2)
        with left:
            cut = groups.filter(pl.col("median_share_cut").is_not_null())
            if not cut.is_empty():
                ui.chart(charts.share_bars(cut, "request_group", "median_share_cut",
                                           "Share of the requested quantity UR cut (median)", "Share cut"))
        with right:
            ui.chart(charts.rate_bars(groups, "request_group", "How IMR ruled on the rest: overturn rate"))
    st.caption("Quantities count only modified requests where both the requested and the authorized quantity "
               "are known.")
    ui.table(groups.select("request_group", "decisions", "with_quantities", "requested_quantity",
                           "authorized_quantity", "share_cut_of_total", "median_share_cut",
                           "overturned", "rate_label"),
             "modified-requests", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
