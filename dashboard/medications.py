"""The Medications page's views of medications_class_months (the classes, their months) and of
medications_drugs (the most disputed drugs, the strengths and quantities).

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


def top_drugs(drugs: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The `limit` drugs with most decisions: decisions, overturned, and the drug's class (a drug classed two
    ways, as diclofenac tablets and gel, shows the class most of its decisions have)."""
    main_class = (drugs.drop_nulls("drug_class").group_by("drug_generic", "drug_class").agg(pl.col("decisions").sum())
                  .sort(["drug_generic", "decisions", "drug_class"], descending=[False, True, False])
                  .group_by("drug_generic", maintain_order=True).agg(pl.col("drug_class").first()))
    return (drugs.group_by("drug_generic").agg(pl.col("decisions").sum(), pl.col("overturned").sum())
            .join(main_class, on="drug_generic", how="left")
            .select("drug_generic", "drug_class", "decisions", "overturned")
            .sort(["decisions", "drug_generic"], descending=[True, False]).head(limit))


def strengths(drugs: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The `limit` drug/strength pairs with most decisions, with the quantities requested: how many
    stated one, the least, the median (as DuckDB's median: the middle one, or the mean of the two
    middle ones) and the most."""
    stated = pl.col("quantity").is_not_null()
    counts = pl.col("decisions").filter(stated)
    below = counts.cum_sum()  # decisions up to and including each quantity, in order
    n = counts.sum()

    def at_rank(rank: pl.Expr) -> pl.Expr:  # the quantity at a 0-based rank among the stated ones
        return pl.col("quantity").filter(stated).filter(below > rank).first()

    return (drugs.sort(["drug_generic", "strength", "quantity"], nulls_last=True)
            .group_by("drug_generic", "strength", maintain_order=True)
            .agg(pl.col("decisions").sum(), counts.sum().alias("with_quantity"),
                 pl.col("quantity").min().alias("min_quantity"),
                 ((at_rank((n - 1) // 2) + at_rank(n // 2)) / 2).alias("median_quantity"),
                 pl.col("quantity").max().alias("max_quantity"), pl.col("overturned").sum())
            .with_columns(pl.col("strength").fill_null("(not stated)"))
            .sort(["decisions", "drug_generic", "strength"], descending=[True, False, False]).head(limit))
