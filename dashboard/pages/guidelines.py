"""Guidelines: what the IMR reviewer cited against what the claims administrator cited."""

import polars as pl
import streamlit as st

from dashboard import charts, data, ui

PAGE = "guidelines"


def render() -> None:
    filters = ui.page_header(
        "Guidelines",
        "What the IMR reviewer cited (MTUS part, ODG, ACOEM, other, nothing) against the claims administrator.",
    )
    ui.rate_note()
    sources = data.with_rates(ui.query("guidelines_sources", filters))
    imr = sources.filter(pl.col("side") == "IMR reviewer")
    left, right = st.columns(2)
    with left:
        if not sources.is_empty():
            ui.chart(charts.grouped_bars(sources, "source", "side", "Decisions citing each source, by side"))
    with right:
        if not imr.is_empty():
            ui.chart(charts.rate_bars(imr, "source", "Overturn rate by source the IMR reviewer cited"))
    st.caption("A decision citing two sources counts under both.")
    ui.table(sources.select("side", "source", *ui.RATE_COLUMNS),
             "sources-by-side", PAGE, filters)

    parts = data.with_rates(ui.query("guidelines_mtus_parts", filters))
    ui.rate_section(parts, "mtus_part", "Overturn rate by MTUS part the IMR reviewer cited first", "mtus-parts", PAGE,
                    filters)

    st.subheader("Agreement between the two sides")
    agreement = data.with_rates(ui.query("guidelines_agreement", filters))
    total = agreement["decisions"].sum()
    same = agreement["same_sources"].sum()
    st.metric(
        "Cited the same sources",
        f"{same / total:.1%}" if total else "no decisions",
        help=f"{same:,} of {total:,} decisions: the IMR reviewer cited exactly the claims administrator's sources",
    )
    if not agreement.is_empty():
        ui.chart(charts.heatmap(agreement, "ca_guideline_group", "imr_guideline_group",
                                "IMR reviewer (rows) against claims administrator (columns)"))
    ui.table(agreement.select("imr_guideline_group", "ca_guideline_group", "decisions", "same_sources",
                              "overturned", "rate_label"),
             "guideline-agreement", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
