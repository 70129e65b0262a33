"""Reasons: why reviewers uphold UR, as the share of upheld decisions giving each reason; a click filters.

A click on a reason (a dot or a heatmap cell) puts it in the shared `reasons` filter, so every other
page follows; a click on the empty chart clears it.
"""

import polars as pl
import streamlit as st

from dashboard import reasons as rs
from dashboard import ui

PAGE = "reasons"
REASONS_KEY = "reasons"  # the shared filter's session-state and URL key
TREND_REASONS = 6
HEATMAP_ROWS = 20
DETAIL_ROWS = 1000


def render() -> None:
    filters = ui.page_header("Reasons", "Why IMR reviewers uphold UR: the reasons their rationales give, "
                                        "for which services, and how that changes.")
    try:
        rs.labels()
    except ValueError as bad:
        st.error(f"The reason labels could not be read: {bad}. Correct that row and reload the page.")
        return
    chosen = tuple(st.session_state.get(REASONS_KEY) or ())
    summary = ui.query("reasons_summary", filters, records_gap_codes=rs.records_gap_codes()).row(0, named=True)
    breakdowns = ui.query("reasons_breakdowns", filters)  # every view's counts, in one pass
    shares = rs.with_shares(rs.breakdown(breakdowns, "all"), chosen)
    if shares.is_empty():
        st.info("No upheld decision with its reasons read matches the filters.")
        return
    headline(shares, summary)
    if chosen:
        names = ", ".join(shares.filter(pl.col("chosen"))["label"].to_list() or chosen)
        st.caption(f"Filtered to decisions giving {names}: the other shares say which reasons come with it.")
    ui.rate_note()

    columns = rs.order_by_share(shares)
    reason_chart(rs.share_dots(shares, f"Share of the {summary['with_reasons']:,} upheld decisions giving "
                                       "each reason (click one to filter every page)"), "reason-dots")
    ui.table(rs.share_table(shares.sort("share", descending=True)), "reason-shares", PAGE, filters)

    st.subheader("By service, drug class and reviewer")
    groups = {"service category": "service_category", "drug class": "drug_class",
              "reviewer specialty": "reviewer_specialty"}
    by = st.segmented_control("Break down by", list(groups), default="service category", key="reasons_by",
                              bind="query-params", required=True) or "service category"
    group = groups[by]
    cells = rs.group_rows(rs.with_shares(rs.breakdown(breakdowns, group), chosen), group)
    if cells.is_empty():
        st.info(f"No upheld decision with a {by} and its reasons read matches the filters.")
    else:
        busiest = cells.unique(group).sort("decisions", descending=True)[group].head(HEATMAP_ROWS).to_list()
        shown = cells.filter(pl.col(group).is_in(busiest))
        more = (f" (the {len(busiest)} with most decisions; the table holds all)"
                if len(busiest) < cells[group].n_unique() else "")
        reason_chart(rs.share_heatmap(shown, group, f"Share of upheld decisions giving each reason, by {by}{more}",
                                      columns), f"reason-heatmap-{group}")
    ui.table(rs.share_table(cells.sort([group, "share"], descending=[False, True]), group),
             f"reasons-by-{group.replace('_', '-')}", PAGE, filters)

    st.subheader("By year")
    trend = rs.with_shares(rs.breakdown(breakdowns, "decision_year"), chosen)
    if not trend.is_empty():
        # More than a handful of lines is unreadable; the table holds every reason.
        lines = list(dict.fromkeys([*columns[:TREND_REASONS], *shares.filter(pl.col("chosen"))["label"]]))
        ui.chart(rs.share_trend(trend.filter(pl.col("label").is_in(lines)),
                                f"The {len(lines)} most given reasons, share of each year's upheld decisions"))
    ui.table(rs.share_table(trend.sort(["decision_year", "share"], descending=[False, True]), "decision_year"),
             "reasons-by-year", PAGE, filters)

    st.subheader("The decisions and the reviewers' words")
    detail = ui.query("reasons_decisions", filters, limit=DETAIL_ROWS)
    st.caption(f"The newest {min(detail.height, DETAIL_ROWS):,} reasons of upheld decisions, each with the words of "
               "the rationale that state it.")
    detail = detail.join(rs.labels().select("code", reason="label"), on="code", how="left")
    # st.dataframe shows the letters' words as plain text.
    ui.table(detail.select("case_number", "reason", "evidence", "treatment", "item_no", "decision_date",
                           "service_category", "reviewer_specialty"), "reason-evidence", PAGE, filters)
    ui.decisions_download(PAGE, filters)


def headline(shares: pl.DataFrame, summary: dict) -> None:
    """The numbers that answer "why": the two most given reasons, and how many a better record could answer."""
    top = shares.sort(["share", "label"], descending=[True, False]).head(2).rows(named=True)
    gap = rs.with_shares(pl.DataFrame({"code": ["records_gap"], "decisions": [summary["with_reasons"]],
                                       "giving": [summary["records_gap"]]})).row(0, named=True)
    gap_names = ", ".join(
        rs.labels().filter(pl.col("records_gap"))["label"].str.to_lowercase().to_list())
    cells = st.columns(3)
    for cell, row in zip(cells, [*top, gap], strict=False):
        label = row["label"] or "Something the records did not show"
        value = f"{row['share']:.0%}" if row["enough_to_judge"] else "too few to judge"
        help_text = f"{row['giving']:,} of {row['decisions']:,} upheld decisions; {row['share_with_interval']}"
        if row["code"] == "records_gap":
            help_text += f". Reasons counted: {gap_names}."
        cell.metric(label, value, help=help_text)
        cell.caption(row["share_with_interval"])
    unread = summary["upheld"] - summary["with_reasons"]
    mean = summary["reasons_given"] / summary["with_reasons"]
    st.caption(f"Shares of the {summary['with_reasons']:,} upheld decisions whose reasons were read"
               f"{f' ({unread:,} more gave none the reader recognised)' if unread else ''}; "
               f"a decision gives {mean:.1f} reasons on average, so the shares add up to more than 100%.")


def reason_chart(figure, key: str) -> None:
    """A chart whose clicks set the shared reasons filter.

    A callback, not a rerun and an assignment: by the time the page runs, the sidebar has drawn the
    filter's widget, and Streamlit refuses a new value for a drawn widget's key.
    """
    st.altair_chart(figure, width="stretch", key=key, on_select=lambda: follow_click(key),
                    selection_mode=rs.SELECTION)


def follow_click(key: str) -> None:
    st.session_state[REASONS_KEY] = rs.codes_from_selection(st.session_state.get(key))


render()
