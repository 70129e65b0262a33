"""Altair charts over the aggregated rows the queries return (never raw decisions).

Rates come with their 95% Wilson interval as an error bar; groups too small to judge are drawn
faint and say so in the tooltip.
"""

import altair as alt
import polars as pl

RATE_AXIS = alt.Axis(format="%", title="Overturn rate (95% interval)")
# Category names such as "Physical Medicine & Rehabilitation" must stay readable.
LABEL_AXIS = alt.Axis(labelLimit=240)
JUDGED_OPACITY = alt.condition("datum.enough_to_judge", alt.value(1.0), alt.value(0.3))


def rate_bars(frame: pl.DataFrame, category: str, title: str) -> alt.Chart:
    """Overturn rate per group as horizontal bars with interval whiskers, largest groups first."""
    order = alt.EncodingSortField(field="decisions", order="descending")
    base = alt.Chart(frame, title=title).encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=LABEL_AXIS)
    )
    bars = base.mark_bar().encode(
        x=alt.X("overturn_rate:Q", axis=RATE_AXIS),
        opacity=JUDGED_OPACITY,
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip("decisions:Q", format=","),
                 alt.Tooltip("rate_label:N", title="overturn rate")],
    )
    whiskers = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
    return (bars + whiskers).properties(height=alt.Step(22))


def volume_bars(frame: pl.DataFrame, category: str, title: str) -> alt.Chart:
    order = alt.EncodingSortField(field="decisions", order="descending")
    return alt.Chart(frame, title=title).mark_bar().encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=LABEL_AXIS),
        x=alt.X("decisions:Q", title="Decisions"),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip("decisions:Q", format=","),
                 alt.Tooltip("rate_label:N", title="overturn rate")],
    ).properties(height=alt.Step(22))


def trend(frame: pl.DataFrame, title: str, color: str | None = None) -> tuple[alt.Chart, alt.TopLevelMixin]:
    """Decisions per period, and the overturn rate per period with its interval band.

    Two charts rather than one concatenated chart: Streamlit stretches only single charts to the page width.
    """
    color_encoding = {"color": alt.Color(f"{color}:N", title=None)} if color else {}
    tooltip = [alt.Tooltip("period:T", title="period"), alt.Tooltip("decisions:Q", format=","),
               alt.Tooltip("rate_label:N", title="overturn rate")]
    if color:
        tooltip.insert(0, alt.Tooltip(f"{color}:N"))
    base = alt.Chart(frame).encode(x=alt.X("period:T", title=None))
    volume = base.mark_line(point=True).encode(
        y=alt.Y("decisions:Q", title="Decisions"), tooltip=tooltip, **color_encoding
    ).properties(title=title, height=220)
    rate_line = base.mark_line(point=True).encode(
        y=alt.Y("overturn_rate:Q", axis=RATE_AXIS), opacity=JUDGED_OPACITY, tooltip=tooltip, **color_encoding
    )
    if color:
        rate = rate_line
    else:
        band = base.mark_area(opacity=0.2).encode(y="ci_low:Q", y2="ci_high:Q")
        rate = band + rate_line
    return volume, rate.properties(height=220)


def heatmap(frame: pl.DataFrame, x: str, y: str, title: str) -> alt.LayerChart:
    """Decisions per cell (colour and number); the tooltip gives the cell's overturn rate."""
    base = alt.Chart(frame, title=title).encode(
        x=alt.X(f"{x}:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160)),
        y=alt.Y(f"{y}:N", title=None, axis=LABEL_AXIS),
        tooltip=[alt.Tooltip(f"{y}:N"), alt.Tooltip(f"{x}:N"), alt.Tooltip("decisions:Q", format=","),
                 alt.Tooltip("rate_label:N", title="overturn rate")],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("decisions:Q", title="Decisions", scale=alt.Scale(scheme="blues"))
    )
    counts = base.mark_text(fontSize=11).encode(
        text=alt.Text("decisions:Q", format=","),
        color=alt.condition(f"datum.decisions > {frame['decisions'].max() or 0} / 2", alt.value("white"),
                            alt.value("black")),
    )
    return (cells + counts).properties(height=alt.Step(26))


def grouped_bars(frame: pl.DataFrame, category: str, group: str, title: str) -> alt.Chart:
    """Decisions per category, one bar per group side by side."""
    return alt.Chart(frame, title=title).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None, sort="-x"),
        yOffset=alt.YOffset(f"{group}:N"),
        x=alt.X("decisions:Q", title="Decisions"),
        color=alt.Color(f"{group}:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip(f"{category}:N"), alt.Tooltip("decisions:Q", format=","),
                 alt.Tooltip("rate_label:N", title="overturn rate")],
    ).properties(height=alt.Step(14))


def share_bars(frame: pl.DataFrame, category: str, value: str, title: str, axis_title: str) -> alt.Chart:
    return alt.Chart(frame, title=title).mark_bar().encode(
        y=alt.Y(f"{category}:N", sort="-x", title=None, axis=LABEL_AXIS),
        x=alt.X(f"{value}:Q", axis=alt.Axis(format="%", title=axis_title)),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=".1%")],
    ).properties(height=alt.Step(20))
