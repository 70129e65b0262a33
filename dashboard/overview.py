"""The two views of overview_groups: decisions per month (the trend) and per service category.

Nothing here imports Streamlit, so the tests check the very frames the pages draw.
"""

import polars as pl

_COUNTS = (pl.col("decisions").sum(), pl.col("overturned").sum())


def trend(groups: pl.DataFrame) -> pl.DataFrame:
    """Decisions and overturned per month with decisions, in order (undated decisions left out)."""
    return groups.filter(pl.col("month").is_not_null()).group_by("month").agg(*_COUNTS).sort("month")


def categories(groups: pl.DataFrame) -> pl.DataFrame:
    """Decisions and overturned per service category, most decisions first."""
    return groups.group_by("service_category").agg(*_COUNTS).sort(
        ["decisions", "service_category"], descending=[True, False])
