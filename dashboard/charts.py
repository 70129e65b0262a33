"""Altair charts over the aggregated rows the queries return (never raw decisions).

Rates are dots with their 95% Wilson interval, sorted so the chart ranks; groups too small to judge
are drawn faint, sorted last and labelled "too few". A chart a manager can click to drill down
carries the point selection `PICK` over its grouping fields (dashboard/sections.py turns a click
into a filter). Every axis, legend and tooltip speaks in human names (LABELS).
"""

import altair as alt
import polars as pl

PICK = "pick"
LABELS = {
    "service_category": "Service category", "drug_class": "Drug class", "drug_generic": "Drug",
    "reviewer_specialty": "Reviewer specialty", "reviewer_ca_licence": "Reviewer licence",
    "ur_action": "UR action", "request_group": "Drug class or service", "mtus_part": "MTUS part",
    "source": "Guideline source", "guideline_source": "Source the IMR reviewer cited",
    "side": "Cited by", "imr_guideline_group": "IMR reviewer cited",
    "ca_guideline_group": "Claims administrator cited", "decisions": "Decisions", "overturned": "Overturned",
    "overturn_rate": "Overturn rate", "rate_label": "Overturn rate (95% interval, n)",
    "period_label": "Period", "priority": "Priority", "letters": "Letters",
    "median_share_cut": "Median share cut", "with_quantities": "Requests with both quantities",
}
RATE_FORMAT = ".0%"
COUNT_AXIS = alt.Axis(format=",.0f", tickMinStep=1)
# Category names such as "Physical Medicine & Rehabilitation" must stay readable.
LABEL_AXIS = alt.Axis(labelLimit=260)
FAINT = 0.3
PALETTE = "tableau10"


def label_of(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def _tooltip(*fields: str, rate: bool = True) -> list[alt.Tooltip]:
    tips = [alt.Tooltip(f"{f}:N", title=label_of(f)) for f in fields]
    tips.append(alt.Tooltip("decisions:Q", title="Decisions", format=",.0f"))
    if rate:
        tips.append(alt.Tooltip("rate_label:N", title="Overturn rate (95% interval, n)"))
    return tips


def _judged_opacity() -> alt.OpacityValue:
    return alt.condition("datum.enough_to_judge", alt.value(1.0), alt.value(FAINT))


def rank_order(frame: pl.DataFrame, group: str, by: str = "overturn_rate") -> list[str]:
    """Groups with enough decisions from the highest `by` down, then the small ones by size."""
    ranked = frame.sort(
        [pl.col("enough_to_judge"), pl.col(by), pl.col("decisions")], descending=[True, True, True], nulls_last=True
    )
    return ranked[group].cast(pl.String).to_list()


def _pick(*fields: str) -> alt.Parameter:
    return alt.selection_point(name=PICK, fields=list(fields), on="click", clear="dblclick")


def rate_dots(frame: pl.DataFrame, group: str, title: str, overall: float | None = None,
              clickable: bool = False) -> alt.LayerChart:
    """Overturn rate per group: a dot and its 95% interval, highest first; small groups faint and labelled.

    `overall` draws the rate over all the groups as a dashed reference line.
    """
    order = rank_order(frame, group)
    # The axis fits the groups with enough decisions; a small group's wide interval stops at that edge
    # (the tooltip and table hold it whole) rather than squeezing every judged group into a corner,
    # and its "too few" label sits beyond the edge.
    judged = frame.filter("enough_to_judge")
    edge = min(1.0, float((judged if judged.height else frame)["ci_high"].max() or 0) * 1.05 or 1.0)
    plotted = frame.with_columns(
        few=pl.when(pl.col("enough_to_judge")).then(pl.lit("")).otherwise(pl.format("too few (n={})", "decisions")),
        start=pl.lit(0.0),
        edge=pl.lit(edge),
        shown_low=pl.min_horizontal("ci_low", pl.lit(edge)),
        shown_high=pl.min_horizontal("ci_high", pl.lit(edge)),
        shown_rate=pl.min_horizontal("overturn_rate", pl.lit(edge)),
    )
    x_scale = alt.Scale(domain=[0, edge * (1.35 if judged.height < frame.height else 1.0)], nice=False)
    base = alt.Chart(plotted, title=title).encode(
        y=alt.Y(f"{group}:N", sort=order, title=None, axis=LABEL_AXIS)
    )
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("shown_low:Q", scale=x_scale, axis=alt.Axis(
            format=RATE_FORMAT, title="Overturn rate (95% interval)", tickCount=6,
            # the room past the edge holds the "too few" labels, not rates
            labelExpr=f"datum.value <= {edge + 1e-9} ? format(datum.value, '{RATE_FORMAT}') : ''")),
        x2="shown_high:Q", opacity=_judged_opacity(),
    )
    dots = base.mark_circle(size=110).encode(x="shown_rate:Q", opacity=_judged_opacity())
    few = base.mark_text(align="left", dx=6, fontSize=11, color="#555").encode(x="edge:Q", text="few:N")
    # An invisible bar across each row: hovering or clicking anywhere on the row works, not just on the dot.
    row = base.mark_bar(opacity=0.001, cursor="pointer" if clickable else "default").encode(
        x="start:Q", x2="edge:Q", tooltip=_tooltip(group)
    )
    if clickable:
        row = row.add_params(_pick(group))
    layers = [interval, dots, few, row]
    if overall is not None:
        reference = alt.Chart(pl.DataFrame({"overall": [overall]})).mark_rule(strokeDash=[4, 4], color="#888").encode(
            x="overall:Q", tooltip=[alt.Tooltip("overall:Q", title="Overturn rate over all", format=".1%")]
        )
        layers.insert(0, reference)
    return alt.layer(*layers).properties(height=alt.Step(24))


def volume_bars(frame: pl.DataFrame, group: str, title: str, order: list[str] | None = None,
                clickable: bool = False) -> alt.Chart:
    """Decisions per group, in `order` (default: largest first)."""
    chart = alt.Chart(frame, title=title).mark_bar(cursor="pointer" if clickable else "default").encode(
        y=alt.Y(f"{group}:N", sort=order or "-x", title=None, axis=LABEL_AXIS),
        x=alt.X("decisions:Q", title="Decisions", axis=COUNT_AXIS),
        tooltip=_tooltip(group),
    )
    if clickable:
        chart = chart.add_params(_pick(group))
    return chart.properties(height=alt.Step(24))


def trend(rolled: pl.DataFrame, period: str, title: str, color: str | None = None,
          color_order: list[str] | None = None) -> tuple[alt.TopLevelMixin, alt.TopLevelMixin]:
    """Decisions per period, and the overturn rate per period with its interval.

    `rolled` comes from dashboard.periods.roll_up: every period of the span, empty ones with no
    rate and a new `segment`, so no line crosses a period without decisions. Two charts rather
    than one concatenated chart: Streamlit stretches only single charts to the page width.
    """
    x = alt.X("period_label:O", title=None, sort=None,
              axis=alt.Axis(labelAngle=0 if period != "month" else -45, labelOverlap="greedy"))
    tooltip = _tooltip(*([color] if color else []), "period_label")
    if color:
        scale = alt.Scale(domain=color_order, scheme=PALETTE) if color_order else alt.Scale(scheme=PALETTE)
        colour = {"color": alt.Color(f"{color}:N", title=label_of(color), scale=scale,
                                     legend=alt.Legend(orient="right", labelLimit=220))}
        detail = [alt.Detail(f"{color}:N"), alt.Detail("segment:N")]
    else:
        colour, detail = {}, [alt.Detail("segment:N")]
    base = alt.Chart(rolled).encode(x=x)
    # Bars, stacked by group: a period without decisions is simply no bar.
    volume = base.mark_bar().encode(y=alt.Y("decisions:Q", title="Decisions", axis=COUNT_AXIS),
                                    tooltip=tooltip, **colour)
    if color:  # one legend, under the first chart, serves both
        colour = {"color": alt.Color(f"{color}:N", scale=scale, legend=None)}
    decided = base.transform_filter("datum.decisions > 0")
    rate_axis = alt.Axis(format=RATE_FORMAT, title="Overturn rate")
    line = decided.mark_line().encode(
        y=alt.Y("overturn_rate:Q", axis=rate_axis), detail=detail, tooltip=tooltip, **colour)
    points = decided.mark_circle(size=50).encode(
        y="overturn_rate:Q", opacity=_judged_opacity(), tooltip=tooltip, **colour)
    if color:
        rate = line + points
    else:
        band = decided.mark_area(opacity=0.2).encode(y="ci_low:Q", y2="ci_high:Q", detail=detail)
        rate = band + line + points
    return volume.properties(title=title, height=200), rate.properties(height=220)


def heatmap(frame: pl.DataFrame, x: str, y: str, title: str, clickable: bool = False) -> alt.LayerChart:
    """Decisions per cell (colour and number); the tooltip gives the cell's overturn rate."""
    x_order = frame.group_by(x).agg(pl.col("decisions").sum()).sort("decisions", descending=True)[x].to_list()
    y_order = frame.group_by(y).agg(pl.col("decisions").sum()).sort("decisions", descending=True)[y].to_list()
    base = alt.Chart(frame, title=title).encode(
        # Every column labelled: slanted, never thinned out for overlap.
        x=alt.X(f"{x}:N", title=None, sort=x_order,
                axis=alt.Axis(labelAngle=-35, labelLimit=220, labelOverlap=False, orient="top")),
        y=alt.Y(f"{y}:N", title=None, sort=y_order, axis=LABEL_AXIS),
        tooltip=_tooltip(y, x),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1, cursor="pointer" if clickable else "default").encode(
        color=alt.Color("decisions:Q", title="Decisions", scale=alt.Scale(scheme="blues"))
    )
    if clickable:
        cells = cells.add_params(_pick(y, x))
    counts = base.mark_text(fontSize=11).encode(
        text=alt.Text("decisions:Q", format=",.0f"),
        color=alt.condition(f"datum.decisions > {frame['decisions'].max() or 0} / 2", alt.value("white"),
                            alt.value("black")),
    )
    return (cells + counts).properties(height=alt.Step(26))


def grouped_bars(frame: pl.DataFrame, category: str, group: str, title: str) -> alt.Chart:
    """Decisions per category, one bar per group side by side."""
    return alt.Chart(frame, title=title).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None, sort="-x"),
        yOffset=alt.YOffset(f"{group}:N"),
        x=alt.X("decisions:Q", title="Decisions", axis=COUNT_AXIS),
        color=alt.Color(f"{group}:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=_tooltip(group, category),
    ).properties(height=alt.Step(14))


def share_bars(frame: pl.DataFrame, category: str, value: str, title: str, axis_title: str,
               order: list[str] | None = None, judged: str = "enough_to_judge") -> alt.LayerChart:
    """A share (0 to 1) per category, in `order`; rows whose `judged` column is false faint and labelled."""
    plotted = frame.with_columns(few=pl.when(pl.col(judged)).then(pl.lit("")).otherwise(pl.lit("too few")))
    base = alt.Chart(plotted, title=title).encode(
        y=alt.Y(f"{category}:N", sort=order or "-x", title=None, axis=LABEL_AXIS)
    )
    bars = base.mark_bar().encode(
        x=alt.X(f"{value}:Q", axis=alt.Axis(format=RATE_FORMAT, title=axis_title)),
        opacity=alt.condition(f"datum.{judged}", alt.value(1.0), alt.value(FAINT)),
        tooltip=[alt.Tooltip(f"{category}:N", title=label_of(category)),
                 alt.Tooltip(f"{value}:Q", title=axis_title, format=".1%"),
                 alt.Tooltip("decisions:Q", title="Decisions", format=",.0f")],
    )
    few = base.mark_text(align="left", dx=4, fontSize=11, color="#555").encode(x=f"{value}:Q", text="few:N")
    return (bars + few).properties(height=alt.Step(24))

