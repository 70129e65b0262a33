"""The Reviewers page's three views of reviewers_groups: by specialty, by licence, specialty by category.

Nothing here imports Streamlit, so the tests check the very frames the page draws.
"""

import polars as pl

_COUNTS = (pl.col("decisions").sum(), pl.col("overturned").sum())


def by_specialty(groups: pl.DataFrame) -> pl.DataFrame:
    return groups.group_by("reviewer_specialty").agg(*_COUNTS).sort(
        ["decisions", "reviewer_specialty"], descending=[True, False])


def by_licence(groups: pl.DataFrame) -> pl.DataFrame:
    return groups.group_by("reviewer_ca_licence").agg(*_COUNTS).sort(
        ["decisions", "reviewer_ca_licence"], descending=[True, False])


def by_specialty_category(groups: pl.DataFrame) -> pl.DataFrame:
    return groups.group_by("reviewer_specialty", "service_category").agg(*_COUNTS).sort(
        ["reviewer_specialty", "service_category"])
