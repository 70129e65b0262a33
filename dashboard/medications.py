"""The Medications page's two views of medications_class_months: the classes, and their months.

Nothing here imports Streamlit, so the tests check the very frames the page draws.
"""

import polars as pl


def by_class(class_months: pl.DataFrame) -> pl.DataFrame:
    """Per drug class, its decisions and overturned (undated ones included), most decisions first."""
    return (class_months.group_by("drug_class")
            .agg(pl.col("decisions").sum(), pl.col("overturned").sum())
            .sort(["decisions", "drug_class"], descending=[True, False]))


def class_trend(class_months: pl.DataFrame) -> pl.DataFrame:
    """Per drug class and month with decisions: the dated rows, by class then month."""
    return class_months.filter(pl.col("month").is_not_null()).sort(["drug_class", "month"])
