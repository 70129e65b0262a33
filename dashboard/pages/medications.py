"""Medications: volume, overturn rate and trend by drug class and drug; strengths and quantities."""

import polars as pl
import streamlit as st

from dashboard import charts, data, ui

PAGE = "medications"
TOP_DRUGS = 25
TREND_CLASSES = 6


def render() -> None:
    filters = ui.page_header(
        "Medications", "Which drugs are disputed, how often IMR overturns UR on them, and how that moves."
    )
    ui.rate_note()
    classes = data.with_rates(ui.query("medications_by_class", filters))
    if classes.is_empty():
        st.info("No pharmaceutical decisions match the filters.")
    else:
        left, right = st.columns(2)
        with left:
            ui.chart(charts.volume_bars(classes, "drug_class", "Decisions by drug class"))
        with right:
            ui.chart(charts.rate_bars(classes, "drug_class", "Overturn rate by drug class"))
    ui.table(classes.select("drug_class", *ui.RATE_COLUMNS),
             "drug-classes", PAGE, filters)

    period = st.segmented_control("Trend by", data.PERIODS, default="month", key="period", bind="query-params",
                                  required=True)
    class_trend = data.with_rates(ui.query("medications_class_trend", filters, period=period or "month"))
    if not class_trend.is_empty():
        # More than a handful of lines is unreadable; the table below holds every class.
        busiest = classes["drug_class"].head(TREND_CLASSES).to_list()
        for figure in charts.trend(class_trend.filter(pl.col("drug_class").is_in(busiest)),
                                   f"The {len(busiest)} busiest drug classes by {period}", color="drug_class"):
            ui.chart(figure)
    ui.table(class_trend.select("drug_class", "period", "decisions", "overturned", "rate_label"),
             f"drug-class-trend-by-{period}", PAGE, filters)

    drugs = data.with_rates(ui.query("medications_top_drugs", filters, limit=TOP_DRUGS))
    if not drugs.is_empty():
        ui.chart(charts.rate_bars(drugs, "drug_generic", f"Top {TOP_DRUGS} drugs: overturn rate"))
    ui.table(drugs.select("drug_generic", "drug_class", *ui.RATE_COLUMNS),
             "top-drugs", PAGE, filters)

    st.subheader("Strengths and quantities requested")
    strengths = data.with_rates(ui.query("medications_strengths", filters, limit=100))
    ui.table(strengths.select("drug_generic", "strength", "decisions", "min_quantity", "median_quantity",
                              "max_quantity", "overturned", "rate_label"),
             "strengths-and-quantities", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
