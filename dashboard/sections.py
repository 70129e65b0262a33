"""Page sections that answer first: headline numbers, ranked rate charts a manager can click to drill
down, and trends by year, quarter or month. Tables and exports go through dashboard/ui.py.
"""

from collections.abc import Iterable

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, data, export, periods, ui

# Filters field -> the widget key (and URL parameter) that holds it.
FILTER_KEYS = {field: key for key, field in data.LIST_URL_KEYS.items()}
LETTERS_PAGE = "dashboard/pages/letters.py"
GROUP_WIDTH, RATE_WIDTH = 220, 180  # pixels, in the comparison table


def headlines(*figures: tuple[str, str, str | None]) -> None:
    """The two to four numbers that answer the page's question, as (label, value, help)."""
    for column, (label, value, help_text) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(label, value, help=help_text)


def rate_text(row: dict) -> str:
    """A rate for a headline: the percentage, or why there is none."""
    if not row["decisions"]:
        return "no decisions"
    if not row["enough_to_judge"]:
        return f"too few (n={row['decisions']:,})"
    return f"{row['overturn_rate']:.1%}"


def show(figure: alt.TopLevelMixin) -> None:
    """Draw a chart across the page."""
    st.vega_lite_chart(spec(figure), width="stretch")


def spec(figure: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec, its (small, aggregated) data inline.

    Not validated against the Vega-Lite schema on every run: that took most of a page's time on the
    server (tests/test_app.py validates every chart the pages draw instead). Without Altair's
    default view size, so the chart takes the page's width.
    """
    result = figure.to_dict(validate=False)
    result.get("config", {}).pop("view", None)
    return result


def drill_chart(figure: alt.TopLevelMixin, key: str, fields: dict[str, str]) -> None:
    """A chart whose click sets filters: `fields` maps the chart's field to the Filters field it sets.

    The click arrives as Streamlit's chart selection event; the callback runs before the next run,
    the one moment a widget's value (the sidebar filter, kept in the URL) may be set from code.
    """
    st.vega_lite_chart(spec(figure), width="stretch", key=key, on_select=lambda: _apply_pick(key, fields),
                       selection_mode=charts.PICK)


def _apply_pick(key: str, fields: dict[str, str]) -> None:
    picked = st.session_state[key].selection.get(charts.PICK) or []
    if not picked:
        return
    for chart_field, filter_field in fields.items():
        value = picked[0].get(chart_field)
        if value is not None:
            st.session_state[FILTER_KEYS[filter_field]] = [value]


def click_hint(what: str) -> None:
    st.caption(f"Click a {what} to filter every page to it; double-click to clear the selection.")


def letters_link(filters: data.Filters) -> None:
    st.page_link(LETTERS_PAGE, label=f"Read the letters behind these numbers ({filters.describe()})", icon="📄")


def rate_chart(rates: pl.DataFrame, group: str, title: str, overall: float | None = None,
               drill: str | None = None) -> None:
    """The ranked rate chart of one grouping; `drill` names the Filters field a click sets."""
    if rates.is_empty():
        st.info("No decisions match the filters.")
        return
    figure = charts.rate_dots(rates, group, title, overall=overall, clickable=drill is not None)
    if drill:
        drill_chart(figure, f"pick-{group}", {group: drill})
    else:
        show(figure)


def rate_table(rates: pl.DataFrame, columns: Iterable[str], what: str, page: str, filters: data.Filters) -> None:
    """A rate table, ranked like its chart (highest rate first, the groups too small to judge last)."""
    ranked = rates.sort(["enough_to_judge", "overturn_rate", "decisions"], descending=True, nulls_last=True)
    ui.table(ranked.select(*columns, *ui.RATE_COLUMNS), what, page, filters)


def overall_rate(rates: pl.DataFrame) -> float | None:
    decisions = rates["decisions"].sum()
    return rates["overturned"].sum() / decisions if decisions else None


def period_control(key: str = "period") -> str:
    """Year, quarter, month, or auto (the finest period with enough decisions per point)."""
    choice = st.segmented_control(
        "Trend by", (periods.AUTO, *periods.PERIODS), default=periods.AUTO, key=key, bind="query-params",
        required=True, format_func=lambda option: option.capitalize(),
    )
    return choice or periods.AUTO


def trend_section(monthly: pl.DataFrame, title: str, what: str, page: str, filters: data.Filters,
                  by: str | None = None, color_order: list[str] | None = None) -> None:
    """A trend's two charts (decisions; overturn rate) and its table, by the period chosen or found."""
    choice = period_control()
    keys = (by,) if by else ()
    period = periods.resolve(choice, monthly, keys)
    rolled = periods.roll_up(monthly, period, keys)
    if rolled.is_empty():
        st.info("No dated decisions match the filters.")
        return
    if choice == periods.AUTO:
        st.caption(f"By {period}: the finest period whose typical point has at least {data.MIN_N} decisions "
                   f"under the current filters, at most {periods.MAX_POINTS} points across. Faint points have "
                   "fewer; gaps are periods without decisions.")
    for figure in charts.trend(rolled, period, f"{title} by {period}", color=by, color_order=color_order):
        show(figure)
    shown = (rolled.filter(pl.col("decisions") > 0)
             .sort(["period", "decisions"], descending=True)
             .select(pl.col("period_label").alias("period"), *keys, *ui.RATE_COLUMNS))
    ui.table(shown, f"{what}-by-{period}", page, filters)


def comparison_table(frame: pl.DataFrame, names: tuple[str, str], dimension: str, what: str, page: str,
                     filters: data.Filters) -> None:
    """The side-by-side table of a comparison (columns ending _a and _b), rates as sortable numbers
    shown as percentages, with its CSV download (rates as fractions there)."""
    # Fixed widths keep the rates in view beside the group (and where the browser test clicks to sort).
    config: dict[str, object] = {"group": st.column_config.TextColumn(dimension, width=GROUP_WIDTH),
                                 "change": st.column_config.NumberColumn("Change in rate", format="percent"),
                                 "intervals_overlap": st.column_config.CheckboxColumn("Intervals overlap"),
                                 "verdict": st.column_config.TextColumn("What it means")}
    for suffix, name in zip(("_a", "_b"), names, strict=True):
        config[f"decisions{suffix}"] = st.column_config.NumberColumn(f"Decisions: {name}", format="localized")
        config[f"overturn_rate{suffix}"] = st.column_config.NumberColumn(f"Overturn rate: {name}", format="percent",
                                                                         width=RATE_WIDTH)
        config[f"ci_low{suffix}"] = st.column_config.NumberColumn(f"95% interval from: {name}", format="percent")
        config[f"ci_high{suffix}"] = st.column_config.NumberColumn(f"95% interval to: {name}", format="percent")
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    st.download_button(f"Download this table (CSV, {frame.height:,} rows)", data=export.csv_bytes(frame),
                       file_name=export.file_name(what, page, filters), mime="text/csv", key=f"download-{what}",
                       on_click="ignore")
