"""Compare: two periods, or the filtered decisions against all the others, side by side: each
overturn rate on both sides, its change, and whether the 95% intervals overlap."""

import dataclasses
from datetime import date

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, compare, data, sections, ui

PAGE = "compare"
PERIODS_MODE = "Two periods"
REST_MODE = "The filtered decisions against the rest"
DIMENSIONS = ("Service category", "Drug class", "UR action", "IMR reviewer cited")


def render() -> None:
    filters = ui.page_header("Compare", "Did the overturn rate change between two periods, or does the filtered "
                                        "set differ from everything else?")
    mode = st.radio("Compare", (PERIODS_MODE, REST_MODE), key="compare", horizontal=True)
    if mode == PERIODS_MODE:
        first, second, names = _two_periods(filters)
    else:
        if filters == data.Filters():
            st.info("Choose filters in the sidebar first: this compares the decisions they select with all others.")
            return
        first = ui.query("compare_groups", filters)
        second = compare.rest(ui.query("compare_groups", data.Filters()), first)
        names = ("Filtered", "The rest")
    if first is None:
        return
    rows = compare.side_by_side(first, second)
    everything = rows.filter(dimension="All decisions")
    if everything.is_empty():
        st.info("No decisions on either side.")
        return
    row = everything.row(0, named=True)
    sections.headlines(
        (f"{names[0]}: overturn rate", _rate(row, "_a"), f"{row['decisions_a']:,} decisions"),
        (f"{names[1]}: overturn rate", _rate(row, "_b"), f"{row['decisions_b']:,} decisions"),
        ("Change", f"{100 * row['change']:+.1f} points" if row["change"] is not None else "not known",
         compare.verdict(row)),
    )
    st.markdown(f"**All decisions:** {compare.verdict(row)}.")
    ui.rate_note()

    dimension = st.selectbox("Break down by", DIMENSIONS, key="compare_by")
    groups = rows.filter(dimension=dimension)
    if groups.is_empty():
        st.info(f"No {dimension.lower()} on either side.")
    else:
        sections.show(_dumbbells(groups, names, dimension))
    # What changed first (both rates, the change, whether it may be chance), the counts and intervals after.
    table = groups.with_columns(
        verdict=pl.Series([compare.verdict(r) for r in groups.iter_rows(named=True)], dtype=pl.String)
    ).select("group", "overturn_rate_a", "overturn_rate_b", "change", "intervals_overlap", "verdict",
             "decisions_a", "decisions_b", "ci_low_a", "ci_high_a", "ci_low_b", "ci_high_b")
    sections.comparison_table(table, names, dimension, "comparison", PAGE, filters)

def _two_periods(filters: data.Filters) -> tuple[pl.DataFrame | None, pl.DataFrame | None, tuple[str, str]]:
    totals = ui.query("overview_totals", data.Filters())
    last = totals["last_decision"][0] or date.today()
    left, right = st.columns(2)
    first = left.date_input("First period", value=(date(last.year - 1, 1, 1), date(last.year - 1, 12, 31)),
                            key="compare_a", format="YYYY-MM-DD")
    second = right.date_input("Second period", value=(date(last.year, 1, 1), date(last.year, 12, 31)),
                              key="compare_b", format="YYYY-MM-DD")
    st.caption("The two periods replace the sidebar's dates; every other filter applies to both. Before and "
               "after the drug formulary: 2017 against 2018 (it took effect on 1 January 2018).")
    if len(first) != 2 or len(second) != 2:
        st.info("Pick a start and an end date for both periods.")
        return None, None, ("", "")
    sides = [ui.query("compare_groups", dataclasses.replace(filters, date_from=start, date_to=end))
             for start, end in (first, second)]
    return sides[0], sides[1], tuple(f"{start:%Y-%m-%d} to {end:%Y-%m-%d}" for start, end in (first, second))


def _rate(row: dict, side: str) -> str:
    return sections.rate_text({"decisions": row[f"decisions{side}"], "enough_to_judge": row[f"enough_to_judge{side}"],
                               "overturn_rate": row[f"overturn_rate{side}"]})


def _dumbbells(groups: pl.DataFrame, names: tuple[str, str], dimension: str) -> alt.LayerChart:
    """Each group's two rates and intervals on one row, ranked by the first side's rate."""
    long = pl.concat([
        groups.select("group", decisions=f"decisions{s}", overturn_rate=f"overturn_rate{s}", ci_low=f"ci_low{s}",
                      ci_high=f"ci_high{s}", enough_to_judge=f"enough_to_judge{s}", change="change",
                      overlap="intervals_overlap").with_columns(side=pl.lit(name))
        for s, name in (("_a", names[0]), ("_b", names[1]))
    ]).filter(pl.col("overturn_rate").is_not_null())
    order = charts.rank_order(groups.rename({"overturn_rate_a": "overturn_rate", "decisions_a": "decisions"}), "group")
    colour = alt.Color("side:N", title=None, scale=alt.Scale(domain=list(names), range=["#4c78a8", "#f58518"]),
                       legend=alt.Legend(orient="bottom"))
    base = alt.Chart(long, title=f"Overturn rate by {dimension.lower()}: both sides").encode(
        y=alt.Y("group:N", sort=order, title=None, axis=charts.LABEL_AXIS),
        yOffset=alt.YOffset("side:N", sort=list(names)),
        color=colour,
        opacity=alt.condition("datum.enough_to_judge", alt.value(1.0), alt.value(charts.FAINT)),
        tooltip=[alt.Tooltip("group:N", title=dimension), alt.Tooltip("side:N", title="Side"),
                 alt.Tooltip("decisions:Q", title="Decisions", format=","),
                 alt.Tooltip("overturn_rate:Q", title="Overturn rate", format=".1%"),
                 alt.Tooltip("change:Q", title="Change (second − first)", format="+.1%"),
                 alt.Tooltip("overlap:N", title="Intervals overlap")],
    )
    rules = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", axis=alt.Axis(format=charts.RATE_FORMAT, title="Overturn rate (95% interval)")),
        x2="ci_high:Q")
    dots = base.mark_circle(size=90).encode(x="overturn_rate:Q")
    return (rules + dots).properties(height=alt.Step(14))


render()
