"""CSV exports: UTF-8, safe to open in a spreadsheet, named after what they hold."""

import re

import polars as pl

from dashboard.data import Filters

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with a single quote, so they stay text."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(_starts_with_formula(name))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def _starts_with_formula(name: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(name).str.starts_with(start) for start in FORMULA_STARTS)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    # The byte-order mark makes Excel read the file as UTF-8 rather than the local code page.
    flat = frame.with_columns(
        pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(", ")
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)
    )
    return b"\xef\xbb\xbf" + neutralise_formulas(flat).write_csv().encode("utf-8")


def file_name(what: str, page: str, filters: Filters) -> str:
    """e.g. imr-decisions-medications-2016-01-01_2017-03-31.csv"""
    dates = f"{filters.date_from or 'start'}_{filters.date_to or 'end'}"
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in (what, page))
    return f"imr-{slug}-{dates}.csv"
