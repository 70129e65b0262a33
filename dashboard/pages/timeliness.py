"""Timeliness: how long IMR took, from the application received and from assignment to the decision,
by period and priority, and how many letters were decided within the regulatory limits."""

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, data, overview, periods, sections, ui

PAGE = "timeliness"
# California Labor Code section 4610.6(d) and 8 CCR section 9792.10.6(g): the IMR organization
# decides within 30 days of receiving the request and its supporting documents, within 3 days
# when the review is expedited (an imminent and serious threat to the worker's health).
LIMITS = {"standard_days": 30, "expedited_days": 3}
LIMITS_SOURCE = (
    "**Regulatory limits:** 30 days for a standard review and 3 days for an expedited one, counted from the "
    "IMR organization's receipt of the application and its supporting documents (California Labor Code "
    "§ 4610.6(d); Cal. Code Regs., tit. 8, § 9792.10.6(g)). Letters do not show when the documents arrived: "
    "the days *from assignment* are the closer measure of that clock; the days *from the application "
    "received* include the eligibility check and gathering of records, so they run longer. The Court of "
    "Appeal held the 30-day limit directory, not mandatory (*California Highway Patrol v. WCAB*, 2016): a "
    "late decision still stands."
)
MEASURES = {"from_application": "From application received", "from_assignment": "From assignment"}
MEASURE_COLOUR = alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom"),
                           scale=alt.Scale(domain=list(MEASURES.values()), range=["#4c78a8", "#f58518"]))


def render() -> None:
    filters = ui.page_header("Timeliness", "How long IMR takes to decide, and how often within the time limits.")
    choice = sections.period_control()
    # The period is chosen on the decisions per month (cheap, and shared with Overview), not letters.
    period = periods.resolve(choice, overview.trend(ui.query("overview_groups", filters)))
    rows = ui.query("timeliness_by_period", filters, period=period, **LIMITS)
    overall = rows.filter(pl.col("period").is_null()).drop("period")
    by_period = rows.filter(pl.col("period").is_not_null())
    everything = overall.filter(priority="all letters")
    row = everything.row(0, named=True) if everything.height else None
    if not row or not row["letters"]:
        st.info("No letters match the filters.")
        return
    sections.headlines(
        ("Median days, assignment to decision", _days(row["median_days_from_assignment"]),
         f"Over {row['with_assignment_date']:,} letters showing the date assigned; "
         f"90th percentile {_days(row['p90_days_from_assignment'])}"),
        ("Decided within the limit", _share(row["within_limit_from_assignment"], row["with_assignment_date"]),
         "Counted from assignment: 30 days for standard, 3 for expedited reviews"),
        ("Median days, application to decision", _days(row["median_days_from_application"]),
         f"Over {row['with_application_date']:,} letters showing the application date; "
         f"90th percentile {_days(row['p90_days_from_application'])}"),
    )
    st.markdown(LIMITS_SOURCE)

    busiest_first = by_period.group_by("priority").agg(pl.col("letters").sum()).sort("letters", descending=True)
    for priority in busiest_first["priority"].to_list():
        rows = by_period.filter(priority=priority)
        filled = periods.fill_gaps(rows.drop("priority"), period, count="letters")
        st.markdown(f"**{priority.capitalize()} reviews** ({rows['letters'].sum():,} letters)")
        left, right = st.columns(2)
        with left:
            sections.show(_days_chart(filled, LIMITS.get(f"{priority}_days"), period))
        with right:
            sections.show(_within_chart(filled, period))
    if choice == periods.AUTO:
        st.caption(f"By {period}: the finest period whose typical point has at least {data.MIN_N} decisions.")

    st.subheader("By priority")
    ui.table(_readable(overall), "timeliness-by-priority", PAGE, filters)
    st.subheader(f"By {period} and priority")
    ui.table(_readable(by_period.sort("period", "priority", descending=[True, False])
                       .with_columns(period=periods.label(period))),
             f"timeliness-by-{period}", PAGE, filters)
    ui.decisions_download(PAGE, filters)


def _days_chart(filled: pl.DataFrame, limit: int | None, period: str) -> alt.LayerChart:
    long = filled.unpivot(
        index=["period_label", "segment", "letters"],
        on=[f"{stat}_days_{measure}" for stat in ("median", "p90") for measure in MEASURES],
        variable_name="series", value_name="days",
    ).with_columns(
        measure=pl.col("series").str.extract(r"days_(from_\w+)$").replace_strict(MEASURES),
        statistic=pl.when(pl.col("series").str.starts_with("median")).then(pl.lit("median"))
        .otherwise(pl.lit("90th percentile")),
    ).filter(pl.col("letters") > 0)
    x = alt.X("period_label:O", title=None, sort=None,
              axis=alt.Axis(labelAngle=0 if period != "month" else -45, labelOverlap="greedy"))
    lines = alt.Chart(long, title="Days to decision: median (solid), 90th percentile (dashed)").mark_line(
        point=True).encode(
        x=x, y=alt.Y("days:Q", title="Days"),
        color=MEASURE_COLOUR,
        strokeDash=alt.StrokeDash("statistic:N", sort=["median", "90th percentile"], legend=None),
        detail=alt.Detail("segment:N"),
        tooltip=[alt.Tooltip("period_label:N", title="Period"), alt.Tooltip("measure:N", title="Counted"),
                 alt.Tooltip("statistic:N", title="Statistic"), alt.Tooltip("days:Q", title="Days", format=".0f"),
                 alt.Tooltip("letters:Q", title="Letters", format=",")],
    )
    if limit is None:
        return lines.properties(height=240)
    rule = alt.Chart(pl.DataFrame({"limit": [limit]})).mark_rule(strokeDash=[2, 2], color="#c0392b").encode(
        y="limit:Q", tooltip=[alt.Tooltip("limit:Q", title="Regulatory limit (days)")])
    return (lines + rule).properties(height=240)


def _within_chart(filled: pl.DataFrame, period: str) -> alt.Chart:
    shares = filled.filter(pl.col("letters") > 0).with_columns(
        from_assignment=pl.col("within_limit_from_assignment") / pl.col("with_assignment_date"),
        from_application=pl.col("within_limit_from_application") / pl.col("with_application_date"),
    ).unpivot(index=["period_label", "segment", "letters"], on=list(MEASURES), variable_name="measure",
              value_name="share").with_columns(measure=pl.col("measure").replace_strict(MEASURES))
    return alt.Chart(shares, title="Share decided within the limit").mark_line(point=True).encode(
        x=alt.X("period_label:O", title=None, sort=None,
                axis=alt.Axis(labelAngle=0 if period != "month" else -45, labelOverlap="greedy")),
        y=alt.Y("share:Q", title="Within the limit", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=charts.RATE_FORMAT)),
        color=MEASURE_COLOUR,
        detail=alt.Detail("segment:N"),
        tooltip=[alt.Tooltip("period_label:N", title="Period"), alt.Tooltip("measure:N", title="Counted"),
                 alt.Tooltip("share:Q", title="Within the limit", format=".1%"),
                 alt.Tooltip("letters:Q", title="Letters", format=",")],
    ).properties(height=240)


def _readable(frame: pl.DataFrame) -> pl.DataFrame:
    """The table a manager reads: shares within the limit beside the counts."""
    return frame.with_columns(
        share_within_limit_from_assignment=pl.col("within_limit_from_assignment") / pl.col("with_assignment_date"),
        share_within_limit_from_application=pl.col("within_limit_from_application")
        / pl.col("with_application_date"),
    )


def _days(value: float | None) -> str:
    return "not known" if value is None else f"{value:.0f} days"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "not known"


render()
