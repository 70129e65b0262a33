"""Overview: letters, decisions and overturn rate; the trend by month or quarter; the service mix."""

import polars as pl
import streamlit as st

from dashboard import charts, data, ui

PAGE = "overview"


def render() -> None:
    filters = ui.page_header("Overview", "How many decisions, how often IMR overturned UR, and on what services.")
    totals = data.with_rates(ui.query("overview_totals", filters))
    row = totals.row(0, named=True)
    letters, decisions, rate = st.columns(3)
    letters.metric("Letters", f"{row['letters']:,}")
    decisions.metric("Decisions", f"{row['decisions']:,}")
    if row["enough_to_judge"]:
        rate.metric("Overturn rate", f"{row['overturn_rate']:.1%}", help=f"95% interval: {row['rate_label']}")
    elif not row["decisions"]:
        rate.metric("Overturn rate", "no decisions")
    else:
        rate.metric("Overturn rate", "too few to judge",
                    help=f"{row['overturned']:,} of {row['decisions']:,} overturned")
    st.caption(f"Overturn rate: {row['rate_label']}")
    ui.rate_note()

    period = st.segmented_control("Trend by", data.PERIODS, default="month", key="period", bind="query-params",
                                  required=True)
    trend = data.with_rates(ui.query("overview_trend", filters, period=period or "month"))
    if trend.is_empty():
        st.info("No dated decisions match the filters.")
    else:
        for figure in charts.trend(trend, f"Decisions and overturn rate by {period}"):
            ui.chart(figure)
    ui.table(trend.select("period", "decisions", "overturned", "rate_label", "ci_low", "ci_high", "enough_to_judge"),
             f"trend-by-{period}", PAGE, filters)

    categories = data.with_rates(ui.query("overview_categories", filters))
    mix = categories.with_columns(share=pl.col("decisions") / pl.col("decisions").sum())
    left, right = st.columns(2)
    with left:
        ui.chart(charts.share_bars(mix, "service_category", "share", "Mix of service categories", "Share of decisions"))
    with right:
        ui.chart(charts.rate_bars(categories, "service_category", "Overturn rate by service category"))
    ui.table(mix.select("service_category", "decisions", "share", "overturned", "rate_label", "ci_low", "ci_high"),
             "service-categories", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
