"""The Reasons page's data shaping and charts: shares of upheld decisions per reason, labelled for people.

Nothing here imports Streamlit, so the tests check the very frames the page draws.
"""

import altair as alt
import polars as pl

from dashboard import data
from etl.reference.reason_labels import reason_labels

SELECTION = "reason"  # the Altair point selection a click on a reason sets
SHARE_AXIS_TITLE = "Share of upheld decisions (95% interval)"
LABEL_AXIS = alt.Axis(labelLimit=260)
JUDGED_OPACITY = alt.condition("datum.enough_to_judge", alt.value(1.0), alt.value(0.3))
CHOSEN_COLOUR = alt.condition("datum.chosen", alt.value("#d62728"), alt.value("#1f77b4"))
# Room right of the widest interval for its label, in share units.
LABEL_ROOM = 0.3


def labels() -> pl.DataFrame:
    return pl.DataFrame(
        [(r.code, r.label, r.description, r.records_gap) for r in reason_labels().values()],
        schema=["code", "label", "description", "records_gap"], orient="row",
    )


def records_gap_codes() -> list[str]:
    """The codes a better record could answer (reason_labels.csv's records_gap column)."""
    return [r.code for r in reason_labels().values() if r.records_gap]


def breakdown(rows: pl.DataFrame, dimension: str) -> pl.DataFrame:
    """One view of reasons_breakdowns: over all ('all': code, decisions, giving), or by a group (its column,
    named after the dimension, then code, decisions, giving; the year as a number)."""
    view = rows.filter(pl.col("dimension") == dimension)
    if dimension == "all":
        return view.select("code", "decisions", "giving")
    group = pl.col("group").cast(pl.Int16) if dimension == "decision_year" else pl.col("group")
    return view.select(group.alias(dimension), "code", "decisions", "giving")


def with_shares(frame: pl.DataFrame, chosen: tuple[str, ...] = ()) -> pl.DataFrame:
    """Add each row's share of `decisions` giving the code, its 95% Wilson interval, and the code's label.

    `chosen` are the codes the shared reasons filter holds; their rows are drawn highlighted.
    """
    if frame.is_empty():
        frame = frame.with_columns(pl.col("decisions").cast(pl.Int64), pl.col("giving").cast(pl.Int64))
    rated = data.with_rates(frame, n="decisions", k="giving").rename(
        {"overturn_rate": "share", "rate_label": "share_with_interval"})
    return rated.join(labels().select("code", "label"), on="code", how="left").with_columns(
        chosen=pl.col("code").is_in(list(chosen)))


def share_table(frame: pl.DataFrame, *groups: str) -> pl.DataFrame:
    """What a reasons table shows (and its CSV holds): the groups, the reason, counts, share and interval."""
    return frame.select(*groups, pl.col("label").alias("reason"), pl.col("giving").alias("decisions_giving"),
                        pl.col("decisions").alias("upheld_decisions"), "share_with_interval", "share", "ci_low",
                        "ci_high", "code")


def order_by_share(shares: pl.DataFrame) -> list[str]:
    """Reason labels, most given first (ties by label, so the order is stable)."""
    return shares.sort(["share", "label"], descending=[True, False])["label"].to_list()


def codes_from_selection(state: object) -> list[str]:
    """The reason codes a click selected, from the chart's selection state (empty when it was cleared)."""
    selection = (state or {}).get("selection", {}) if isinstance(state, dict) else getattr(state, "selection", {})
    points = (selection or {}).get(SELECTION) or []
    return list(dict.fromkeys(point["code"] for point in points if point.get("code")))


def _select_reason() -> alt.Parameter:
    return alt.selection_point(name=SELECTION, fields=["code"], on="click")


def share_dots(shares: pl.DataFrame, title: str) -> alt.LayerChart:
    """One dot per reason at its share, with the 95% interval and a label; a click on a dot selects the reason."""
    order = order_by_share(shares)
    reach = float(shares["ci_high"].max() or 0.0) + LABEL_ROOM
    ticks = [t / 10 for t in range(11) if t / 10 <= reach]
    x_scale = alt.Scale(domain=[0, reach], nice=False)
    tooltip = [alt.Tooltip("label:N", title="reason"), alt.Tooltip("share_with_interval:N", title="share"),
               alt.Tooltip("giving:Q", title="decisions giving it", format=","),
               alt.Tooltip("decisions:Q", title="upheld decisions read", format=",")]
    base = alt.Chart(shares, title=title).encode(y=alt.Y("label:N", sort=order, title=None, axis=LABEL_AXIS))
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", scale=x_scale, axis=alt.Axis(format="%", values=ticks, title=SHARE_AXIS_TITLE)),
        x2="ci_high:Q", color=CHOSEN_COLOUR, opacity=JUDGED_OPACITY,
    )
    dots = base.mark_circle(size=140, cursor="pointer").encode(
        x=alt.X("share:Q", scale=x_scale), color=CHOSEN_COLOUR, opacity=JUDGED_OPACITY, tooltip=tooltip,
    ).add_params(_select_reason())
    # Every dot has the same n (the title gives it), so its label is the share and interval alone.
    text = base.mark_text(align="left", dx=6, fontSize=11).encode(
        x=alt.X("ci_high:Q", scale=x_scale), opacity=JUDGED_OPACITY,
        text=alt.condition("datum.enough_to_judge",
                           alt.Text("dot_label:N"), alt.value("too few to judge")),
    ).transform_calculate(
        dot_label="format(datum.share, '.1%') + ' (' + format(datum.ci_low, '.1%') + '–' + "
                  "format(datum.ci_high, '.1%') + ')'")
    return (interval + dots + text).properties(height=alt.Step(26))


def group_rows(cells: pl.DataFrame, group: str) -> pl.DataFrame:
    """Each group's row label with its n ('Opioids (n=412)'; small groups say they are too few to judge)."""
    return cells.with_columns(
        row=pl.when(pl.col("enough_to_judge"))
        .then(pl.format("{} (n={})", pl.col(group).cast(pl.String), pl.col("decisions")))
        .otherwise(pl.format("{} (n={}, too few to judge)", pl.col(group).cast(pl.String), pl.col("decisions")))
    )


def share_heatmap(cells: pl.DataFrame, group: str, title: str, columns: list[str]) -> alt.LayerChart:
    """Share of each group's upheld decisions giving each reason; every reason column is labelled.

    `cells` comes from group_rows; `columns` is the order of the reason labels (most given first).
    A click on a cell selects its reason.
    """
    rows = cells.unique(group).sort(["decisions", group], descending=[True, False])["row"].to_list()
    # The colour scale spans the groups large enough to judge: a 100% in a group of five would wash out the rest.
    judged = cells.filter(pl.col("enough_to_judge"))
    top = float((judged if not judged.is_empty() else cells)["share"].max() or 0.0)
    base = alt.Chart(cells, title=title).encode(
        x=alt.X("label:N", sort=columns, title=None,
                axis=alt.Axis(orient="top", labelAngle=-40, labelAlign="left", labelOverlap=False,
                              labelLimit=220)),
        y=alt.Y("row:N", sort=rows, title=None, axis=LABEL_AXIS),
        tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip("label:N", title="reason"),
                 alt.Tooltip("share_with_interval:N", title="share"),
                 alt.Tooltip("giving:Q", title="decisions giving it", format=",")],
    )
    cells_mark = base.mark_rect(stroke="white", strokeWidth=1, cursor="pointer").encode(
        color=alt.Color("share:Q", title="Share", legend=alt.Legend(format="%"),
                        scale=alt.Scale(scheme="oranges", domain=[0, max(top, 0.01)], clamp=True)),
        opacity=JUDGED_OPACITY,
    ).add_params(_select_reason())
    numbers = base.mark_text(fontSize=11).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition(f"datum.share > {top / 2} && datum.enough_to_judge", alt.value("white"),
                            alt.value("black")),
        opacity=JUDGED_OPACITY,
    )
    return (cells_mark + numbers).properties(height=alt.Step(24))


def share_trend(trend: pl.DataFrame, title: str) -> alt.LayerChart:
    """Share of each year's upheld decisions giving each reason, one line per reason; faint years are small."""
    tooltip = [alt.Tooltip("label:N", title="reason"), alt.Tooltip("decision_year:O", title="year"),
               alt.Tooltip("share_with_interval:N", title="share")]
    base = alt.Chart(trend, title=title).encode(
        x=alt.X("decision_year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", axis=alt.Axis(format="%", title="Share of upheld decisions")),
        color=alt.Color("label:N", title=None, legend=alt.Legend(orient="right", labelLimit=260)),
    )
    lines = base.mark_line()
    points = base.mark_point(filled=True, size=70).encode(opacity=JUDGED_OPACITY, tooltip=tooltip)
    return (lines + points).properties(height=300)
