"""Compare two sets of decisions side by side: each group's overturn rate on both sides, the change,
and whether the two 95% intervals overlap (when they do, the difference may be chance).

Pure polars over the rows of queries/compare_groups.sql, so the tests run it as the page does.
"""

import polars as pl

from dashboard import data

KEYS = ("dimension", "group")
SIDE_COLUMNS = ("decisions", "overturned", "overturn_rate", "ci_low", "ci_high", "enough_to_judge")


def rest(everything: pl.DataFrame, part: pl.DataFrame) -> pl.DataFrame:
    """The groups' counts outside `part`: everything minus the part, group by group."""
    joined = everything.join(part, on=list(KEYS), how="left", suffix="_part").with_columns(
        pl.col("decisions_part", "overturned_part").fill_null(0))
    return joined.select(
        *KEYS,
        decisions=pl.col("decisions") - pl.col("decisions_part"),
        overturned=pl.col("overturned") - pl.col("overturned_part"),
    ).filter(pl.col("decisions") > 0)


def side_by_side(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """One row per dimension and group: both sides' counts and rates (suffixes _a, _b), the change in
    the rate (b - a) and whether the intervals overlap; a group missing on one side counts 0 there."""
    sides = []
    for frame, suffix in ((first, "_a"), (second, "_b")):
        rated = data.with_rates(frame.select(*KEYS, "decisions", "overturned"))
        sides.append(rated.select(*KEYS, *(pl.col(c).alias(c + suffix) for c in SIDE_COLUMNS)))
    joined = sides[0].join(sides[1], on=list(KEYS), how="full", coalesce=True)
    counts = [f"{c}{s}" for c in ("decisions", "overturned") for s in ("_a", "_b")]
    return joined.with_columns(pl.col(counts).fill_null(0)).with_columns(
        change=pl.col("overturn_rate_b") - pl.col("overturn_rate_a"),
        intervals_overlap=(pl.col("ci_low_a") <= pl.col("ci_high_b")) & (pl.col("ci_low_b") <= pl.col("ci_high_a")),
        enough_to_judge=pl.col("enough_to_judge_a").fill_null(False) & pl.col("enough_to_judge_b").fill_null(False),
    ).sort("dimension", "decisions_a", descending=[False, True])


def verdict(row: dict) -> str:
    """A sentence on one group's change, honest about small groups and overlapping intervals."""
    if row["overturn_rate_a"] is None or row["overturn_rate_b"] is None:
        return "not on both sides"
    if not row["enough_to_judge"]:
        return f"too few to judge (fewer than {data.MIN_N} decisions on a side)"
    points = 100 * row["change"]
    moved = f"{'up' if points > 0 else 'down'} {abs(points):.1f} points" if round(points, 1) else "unchanged"
    if row["intervals_overlap"]:
        return f"{moved}; the intervals overlap, so this may be chance"
    return f"{moved}; the intervals do not overlap"
