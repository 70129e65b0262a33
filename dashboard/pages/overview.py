"""Overview: how many letters and decisions, how often IMR overturned UR (per decision and per case),
how that moves over time, and on which services."""

import polars as pl
import streamlit as st

from dashboard import charts, data, overview, sections, ui
from etl import vocab

PAGE = "overview"


def render() -> None:
    filters = ui.page_header("Overview", "How many decisions, how often IMR overturned UR, and on what services.")
    totals = data.with_rates(ui.query("overview_totals", filters)).row(0, named=True)
    cases = ui.query("overview_letter_outcomes", filters)
    letters = dict(zip(cases["letter_outcome"], cases["letters"], strict=True))
    in_letters = sum(letters.values())

    def case_share(outcome: str) -> str:
        return f"{letters.get(outcome, 0) / in_letters:.0%}" if in_letters else "no letters"

    sections.headlines(
        ("Letters", f"{totals['letters']:,}", "Letters (cases) with a decision matching the filters"),
        ("Decisions", f"{totals['decisions']:,}", "Disputed items decided: a letter decides one or more"),
        ("Overturn rate", sections.rate_text(totals), f"Of the decisions; 95% interval: {totals['rate_label']}"),
    )
    st.markdown("**Letters by outcome**, as the state's own search shows them: upheld when IMR upheld UR on "
                "every item, overturned when it overturned every item, else partially overturned.")
    sections.headlines(
        *((LETTER_OUTCOME_LABELS[outcome], case_share(outcome),
           f"{letters.get(outcome, 0):,} of {in_letters:,} letters") for outcome in vocab.LETTER_OUTCOMES),
    )
    ui.rate_note()

    groups = ui.query("overview_groups", filters)  # the categories and the trend, in one pass
    categories = data.with_rates(overview.categories(groups))
    left, right = st.columns(2)
    with left:
        sections.rate_chart(categories, "service_category", "Overturn rate by service category",
                            overall=sections.overall_rate(categories), drill="categories")
    with right:
        if not categories.is_empty():
            sections.show(charts.volume_bars(categories, "service_category", "Decisions by service category",
                                        order=charts.rank_order(categories, "service_category")))
    sections.click_hint("service category")

    st.subheader("Over time")
    sections.trend_section(overview.trend(groups), "Decisions and overturn rate", "trend", PAGE, filters)

    st.subheader("Service categories")
    mix = categories.with_columns(share=pl.col("decisions") / pl.col("decisions").sum())
    sections.rate_table(mix, ("service_category", "share"), "service-categories", PAGE, filters)
    ui.decisions_download(PAGE, filters)


LETTER_OUTCOME_LABELS = {"upheld": "Upheld", "partially overturned": "Partially overturned",
                         "overturned": "Overturned"}

render()
