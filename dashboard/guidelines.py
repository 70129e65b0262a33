"""The Guidelines page's three views of guidelines_groups: sources by side, MTUS parts, agreement.

Nothing here imports Streamlit, so the tests check the very frames the page draws.
"""

import polars as pl

MTUS_GROUPS = ("MTUS only", "MTUS + non-MTUS")
_COUNTS = (pl.col("decisions").sum(), pl.col("overturned").sum())


def sources(groups: pl.DataFrame) -> pl.DataFrame:
    """Per side and source cited, the decisions citing it and how many were overturned; a decision citing
    two sources counts under both. IMR reviewer first, then most decisions."""
    sides = [groups.select(pl.lit(side).alias("side"), pl.col(key).str.split(",").alias("source"),
                           "decisions", "overturned")
             for side, key in (("IMR reviewer", "imr_source_key"), ("claims administrator", "ca_source_key"))]
    return (pl.concat(sides).explode("source").group_by("side", "source").agg(*_COUNTS)
            .sort(["side", "decisions", "source"], descending=[True, True, False]))


def mtus_parts(groups: pl.DataFrame) -> pl.DataFrame:
    """Per MTUS part the IMR reviewer cited first ('part not stated' when none), decisions and overturned."""
    return (groups.filter(pl.col("imr_guideline_group").is_in(MTUS_GROUPS))
            .group_by(pl.col("imr_mtus_chapter").fill_null("part not stated").alias("mtus_part")).agg(*_COUNTS)
            .sort(["decisions", "mtus_part"], descending=[True, False]))


def agreement(groups: pl.DataFrame) -> pl.DataFrame:
    """Per IMR and claims administrator guideline group, decisions, overturned and those citing the same sources."""
    return (groups.group_by("imr_guideline_group", "ca_guideline_group")
            .agg(*_COUNTS, pl.col("decisions").filter(pl.col("same_sources_as_ca")).sum().alias("same_sources"))
            .sort(["imr_guideline_group", "ca_guideline_group"]))
