"""UR modifications: denied against modified; for modified requests, how much UR cut and how IMR ruled."""

import polars as pl
import streamlit as st

from dashboard import charts, data, sections, ui

PAGE = "ur-modifications"


def render() -> None:
    filters = ui.page_header(
        "UR modifications",
        "Whether UR denied a request outright or authorized part of it, and how IMR ruled on the rest.",
    )
    actions = data.with_rates(ui.query("ur_actions", filters))
    by_action = {row["ur_action"]: row for row in actions.iter_rows(named=True)}
    decided = actions["decisions"].sum()
    modified = by_action.get("modified", {}).get("decisions", 0)
    groups = data.with_rates(ui.query("ur_modified_by_group", filters)).with_columns(
        cut_judged=pl.col("with_quantities") >= data.MIN_N
    )
    cut = groups.filter(pl.col("median_share_cut").is_not_null())
    sections.headlines(
        ("UR modified rather than denied", f"{modified / decided:.0%}" if decided else "no decisions",
         f"{modified:,} of {decided:,} decisions"),
        *((f"Overturn rate where UR {action}",
           sections.rate_text(by_action[action]) if action in by_action else "none",
           by_action[action]["rate_label"] if action in by_action else None) for action in ("denied", "modified")),
    )
    ui.rate_note()
    sections.rate_chart(actions, "ur_action", "Overturn rate: denied against modified",
                        overall=sections.overall_rate(actions), drill="ur_actions")
    sections.rate_table(actions, ("ur_action",), "ur-actions", PAGE, filters)

    st.subheader("Modified requests, by drug class or service")
    if groups.is_empty():
        st.info("No modified requests match the filters.")
    else:
        # One order for both charts, the rate chart's, so a row reads across.
        order = charts.rank_order(groups, "request_group")
        left, right = st.columns(2)
        with left:
            sections.show(charts.rate_dots(groups, "request_group", "How IMR ruled on the rest: overturn rate"))
        with right:
            if not cut.is_empty():
                sections.show(charts.share_bars(cut, "request_group", "median_share_cut",
                                           "Share of the requested quantity UR cut (median)", "Share cut",
                                           order=order, judged="cut_judged"))
    st.caption(f"The share cut is 1 − authorized ÷ requested, per request where both quantities are known, then "
               f"its median per group; groups with fewer than {data.MIN_N} such requests are faint. Quantities "
               "are never added up: a group mixes tablets, sessions and grams.")
    sections.rate_table(groups, ("request_group", "with_quantities", "median_share_cut"), "modified-requests",
                        PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
