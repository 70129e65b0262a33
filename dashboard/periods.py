"""Trends by year, quarter or month: rolling monthly rows up, naming periods, and choosing the finest
period with enough decisions per point. Pure polars, so the tests and the benchmark run it as the pages do.
"""

import polars as pl

from dashboard import data

PERIODS = ("year", "quarter", "month")
AUTO = "auto"
# More points than this across a page-wide chart no longer read as a line.
MAX_POINTS = 60
_STEP = {"year": "1y", "quarter": "3mo", "month": "1mo"}
_TRUNCATE = {"year": "1y", "quarter": "1q", "month": "1mo"}


def label(period: str) -> pl.Expr:
    """How a manager reads a period: 2016, 2016-Q3, 2016-07."""
    start = pl.col("period")
    if period == "year":
        return start.dt.year().cast(pl.String)
    if period == "quarter":
        return pl.format("{}-Q{}", start.dt.year(), start.dt.quarter())
    return start.dt.strftime("%Y-%m")


def roll_up(monthly: pl.DataFrame, period: str, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """Decisions and overturned per period (and group), every period of the span present.

    `monthly` has `month` (DATE), `decisions`, `overturned` and the `by` columns. A period without
    decisions is kept with 0 decisions and no rate, and starts a new `segment`, so a line is never
    drawn across it.
    """
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; expected one of {PERIODS}")
    if monthly.is_empty():
        return _empty(monthly, by)
    rolled = (
        monthly.with_columns(period=pl.col("month").dt.truncate(_TRUNCATE[period]))
        .group_by(*by, "period")
        .agg(pl.col("decisions").sum().cast(pl.Int64), pl.col("overturned").sum().cast(pl.Int64))
    )
    filled = fill_gaps(rolled, period, by, count="decisions")
    rated = data.with_rates(filled)
    empty = pl.col("decisions") == 0
    return rated.with_columns(
        *(pl.when(empty).then(None).otherwise(pl.col(c)).alias(c) for c in ("overturn_rate", "ci_low", "ci_high")),
        rate_label=pl.when(empty).then(pl.lit("no decisions")).otherwise(pl.col("rate_label")),
    )


def fill_gaps(frame: pl.DataFrame, period: str, by: tuple[str, ...] = (), count: str = "decisions") -> pl.DataFrame:
    """Every period from the first to the last in `frame` (by its `period` start date), for every group.

    A missing period gets `count` 0 and nulls elsewhere, and starts a new `segment` of its group,
    so charts draw no line across it. Adds `period_label`.
    """
    first, last = frame["period"].min(), frame["period"].max()
    span = pl.DataFrame({"period": pl.date_range(first, last, _STEP[period], eager=True)})
    grid = span.join(frame.select(*by).unique(), how="cross") if by else span
    empty = pl.col(count) == 0
    counts = [c for c in (count, "overturned") if c in frame.columns]
    return (
        grid.join(frame, on=[*by, "period"], how="left")
        .with_columns(pl.col(counts).fill_null(0))
        .sort(*by, "period")
        .with_columns(period_label=label(period),
                      segment=empty.cast(pl.Int32).cum_sum().over(list(by)) if by else empty.cast(pl.Int32).cum_sum())
    )


def _empty(monthly: pl.DataFrame, by: tuple[str, ...]) -> pl.DataFrame:
    frame = pl.DataFrame(schema={**{c: monthly.schema[c] for c in by}, "period": pl.Date, "decisions": pl.Int64,
                                 "overturned": pl.Int64})
    return data.with_rates(frame).with_columns(period_label=pl.lit(None, pl.String), segment=pl.lit(None, pl.Int32))


def finest(monthly: pl.DataFrame, by: tuple[str, ...] = ()) -> str:
    """The finest period whose typical point (the median over the span, empty periods included) has
    at least data.MIN_N decisions, and with at most MAX_POINTS periods across the page; else a year."""
    for period in ("month", "quarter"):
        rolled = roll_up(monthly, period, by)
        if rolled.is_empty():
            return period
        if (rolled["decisions"].median() or 0) >= data.MIN_N and rolled["period"].n_unique() <= MAX_POINTS:
            return period
    return "year"


def resolve(choice: str | None, monthly: pl.DataFrame, by: tuple[str, ...] = ()) -> str:
    """The period the manager picked, or the finest one with enough decisions when they left it on auto."""
    return choice if choice in PERIODS else finest(monthly, by)

