"""Guidelines: what the IMR reviewer cited against what the claims administrator cited, and how often
decisions citing each source were overturned."""

import polars as pl
import streamlit as st

from dashboard import charts, data, guidelines, sections, ui

PAGE = "guidelines"


def render() -> None:
    filters = ui.page_header(
        "Guidelines",
        "What the IMR reviewer cited (MTUS part, ODG, ACOEM, other, nothing) against the claims administrator.",
    )
    groups = ui.query("guidelines_groups", filters)  # every view's counts, in one pass
    sources = data.with_rates(guidelines.sources(groups))
    imr = sources.filter(pl.col("side") == "IMR reviewer")
    agreement = data.with_rates(guidelines.agreement(groups))
    total = agreement["decisions"].sum()
    same = agreement["same_sources"].sum()
    mtus = agreement.filter(pl.col("imr_guideline_group").is_in(["MTUS only", "MTUS + non-MTUS"]))["decisions"].sum()
    nothing = data.with_rates(imr.filter(pl.col("source") == "nothing cited")) if imr.height else imr
    sections.headlines(
        ("IMR reviewer cited the MTUS", f"{mtus / total:.0%}" if total else "no decisions",
         f"{mtus:,} of {total:,} decisions"),
        ("Both sides cited the same sources", f"{same / total:.0%}" if total else "no decisions",
         f"{same:,} of {total:,} decisions: the IMR reviewer cited exactly the claims administrator's sources"),
        ("Overturned when nothing cited",
         sections.rate_text(nothing.row(0, named=True)) if nothing.height else "none",
         nothing["rate_label"][0] if nothing.height else "No decision without a citation"),
    )
    ui.rate_note()

    left, right = st.columns(2)
    with left:
        sections.rate_chart(imr.rename({"source": "guideline_source"}), "guideline_source",
                            "Overturn rate by source the IMR reviewer cited", drill="guideline_sources")
    with right:
        if not sources.is_empty():
            sections.show(charts.grouped_bars(sources, "source", "side", "Decisions citing each source, by side"))
    st.caption("A decision citing two sources counts under both. Click a source to filter every page to the "
               "decisions whose IMR reviewer cited it.")
    ui.table(sources.select("side", "source", *ui.RATE_COLUMNS), "sources-by-side", PAGE, filters)

    st.subheader("MTUS parts")
    parts = data.with_rates(guidelines.mtus_parts(groups))
    sections.rate_chart(parts, "mtus_part", "Overturn rate by MTUS part the IMR reviewer cited first",
                        overall=sections.overall_rate(parts))
    sections.rate_table(parts, ("mtus_part",), "mtus-parts", PAGE, filters)

    st.subheader("Agreement between the two sides")
    if not agreement.is_empty():
        sections.show(charts.heatmap(agreement, "ca_guideline_group", "imr_guideline_group",
                                "IMR reviewer (rows) against claims administrator (columns)"))
    ui.table(agreement.select("imr_guideline_group", "ca_guideline_group", "decisions", "same_sources",
                              "overturned", "rate_label"),
             "guideline-agreement", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
