"""Exports that say what they are: CSV and Excel, human headers, named after the page, table and filters.

Cells a spreadsheet would run as a formula are neutralised in both formats. The filtered decisions,
up to a million rows and more, are written batch by batch from DuckDB's record batches, never held
whole: `stream_decisions_csv` yields the CSV piece by piece (serve.py's route sends each piece as
it comes) and `write_decisions_xlsx` writes a workbook row by row to a file.
"""

import io
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode

import duckdb
import polars as pl
import xlsxwriter
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from dashboard import data
from dashboard.names import SHARE_FIELDS, human

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = b"\xef\xbb\xbf"  # makes Excel read a CSV as UTF-8 rather than the local code page
# Rows per record batch. Measured at a million letters (bench/export_bench.py): 50,000 grew the
# process by ~290 MB, 10,000 by ~140 MB, 5,000 by ~120 MB (DuckDB and Arrow keep a few batches in flight).
BATCH_ROWS = 5_000
EXCEL_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
MAX_NAME = 160  # characters of a file name, so every system can save it
DECISIONS_QUERY = "decisions_export"

# serve.py sets this when it serves the routes below; the pages then link to them.
STREAMING_ENV = "IMR_STREAMED_EXPORTS"
DECISIONS_CSV_PATH = "/export/decisions.csv"
DECISIONS_XLSX_PATH = "/export/decisions.xlsx"

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- the rows as a spreadsheet reads them

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


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists as 'a, b' text; the rate's text label dropped where the rate itself is there as a number."""
    if "overturn_rate" in frame.columns:
        frame = frame.drop("rate_label", strict=False)
    flat = frame.with_columns(
        pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(", ")
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)
    )
    return neutralise_formulas(flat)


def csv_headers(columns: list[str]) -> list[str]:
    return [f"{human(c)} (%)" if c in SHARE_FIELDS else human(c) for c in columns]


def _for_csv(frame: pl.DataFrame) -> pl.DataFrame:
    """Shares as percent numbers (12.34, not 0.1234...: no 16-decimal fractions), human headers."""
    flat = _flat(frame)
    flat = flat.with_columns((pl.col(c) * 100).round(2) for c in flat.columns if c in SHARE_FIELDS)
    return flat.rename(dict(zip(flat.columns, csv_headers(flat.columns), strict=True)))


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """A small table (what a page shows) as CSV."""
    return BOM + _for_csv(frame).write_csv().encode("utf-8")


def file_name(what: str, page: str, filters: data.Filters, extension: str = "csv") -> str:
    """e.g. imr-medications-drug-classes-from-2018-01-01_drug_class-opioids+nsaid.csv"""
    slug = "-".join(data.slug(part) for part in ("imr", page, what))
    stem = f"{slug}_{filters.short()}"
    if len(stem) > MAX_NAME:
        stem = stem[:MAX_NAME].rstrip("-_+") + "-etc"
    return f"{stem}.{extension}"


# ---------------------------------------------------------------- Excel

def about_rows(page: str, what: str, filters: data.Filters, last_load: object, rows: int,
               note: str | None = None) -> list[tuple[str, str]]:
    """The workbook's second sheet: what the rows are, under which filters, from which load."""
    about = [("Page", page), ("Table", what)]
    about += [(f"Filter: {name}", values) for name, values in filters.active()] or [("Filters", "none")]
    about += [("Database last loaded", str(last_load or "never")), ("Rows", f"{rows:,}"),
              ("Exported at", datetime.now().isoformat(timespec="seconds"))]
    return about + ([("Note", note)] if note else [])


class _Workbook:
    """A workbook whose first sheet takes rows batch by batch, constant memory (xlsxwriter writes each row out)."""

    def __init__(self, target: str | BinaryIO, columns: list[str], schema: pl.Schema) -> None:
        # strings_to_formulas off: a text cell is text, whatever it starts with.
        self.book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                                 "strings_to_urls": False, "in_memory": False})
        self.sheet = self.book.add_worksheet("Rows")
        bold = self.book.add_format({"bold": True})
        self.formats = {}
        for index, (name, dtype) in enumerate(schema.items()):
            if name in SHARE_FIELDS:
                self.formats[index] = self.book.add_format({"num_format": "0.0%"})
            elif dtype.is_integer():
                self.formats[index] = self.book.add_format({"num_format": "#,##0"})
            elif dtype in (pl.Date, pl.Datetime):
                self.formats[index] = self.book.add_format({"num_format": "yyyy-mm-dd"})
            self.sheet.set_column(index, index, 14)
        self.sheet.write_row(0, 0, [human(c) for c in columns], bold)
        self.sheet.freeze_panes(1, 0)
        self.rows = 0

    def add(self, frame: pl.DataFrame) -> None:
        for row in frame.iter_rows():
            self.rows += 1
            for index, value in enumerate(row):
                if value is not None:  # a missing value is a blank cell
                    self.sheet.write(self.rows, index, value, self.formats.get(index))

    def close(self, about: list[tuple[str, str]]) -> None:
        sheet = self.book.add_worksheet("About these rows")
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 80)
        for index, (name, value) in enumerate(about):
            sheet.write_string(index, 0, name)
            sheet.write_string(index, 1, value)
        self.book.close()


def xlsx_bytes(frame: pl.DataFrame, about: list[tuple[str, str]]) -> bytes:
    """A small table (what a page shows) as a workbook: its rows, then a sheet saying what they are."""
    flat = _flat(frame)
    buffer = io.BytesIO()
    book = _Workbook(buffer, flat.columns, flat.schema)
    book.add(flat)
    book.close(about)
    return buffer.getvalue()


# ---------------------------------------------------------------- the filtered decisions, batch by batch

def decision_batches(con: duckdb.DuckDBPyConnection, filters: data.Filters,
                     batch_rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
    """The filtered decisions as frames of at most batch_rows rows, in the export's order (at least one frame,
    empty when nothing matches, so a file always gets its header)."""
    with con.cursor() as cursor:
        relation = cursor.sql(data.query_text(DECISIONS_QUERY),
                              params=data.bound_params(DECISIONS_QUERY, filters.params()))
        reader = relation.to_arrow_reader(batch_rows)
        any_rows = False
        for batch in reader:
            any_rows = True
            yield pl.from_arrow(batch)
        if not any_rows:
            yield pl.from_arrow(reader.schema.empty_table())


def stream_decisions_csv(con: duckdb.DuckDBPyConnection, filters: data.Filters,
                         batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """The filtered decisions as CSV, one piece per batch: the header (with the byte-order mark) first."""
    first = True
    for batch in decision_batches(con, filters, batch_rows):
        piece = _for_csv(batch).write_csv(include_header=first).encode("utf-8")
        yield (BOM + piece) if first else piece
        first = False


def write_decisions_xlsx(con: duckdb.DuckDBPyConnection, filters: data.Filters, target: str | BinaryIO,
                         page: str, batch_rows: int = BATCH_ROWS) -> int:
    """The filtered decisions as a workbook (Excel's row limit permitting); returns the rows written."""
    book: _Workbook | None = None
    note = None
    for batch in decision_batches(con, filters, batch_rows):
        flat = _flat(batch)
        if book is None:
            book = _Workbook(target, flat.columns, flat.schema)
        room = EXCEL_MAX_ROWS - book.rows
        if flat.height > room:
            note = (f"Excel holds at most {EXCEL_MAX_ROWS:,} rows: these are the first {EXCEL_MAX_ROWS:,} "
                    "of the filtered decisions; the CSV download has them all.")
            book.add(flat.head(room))
            break
        book.add(flat)
    book.close(about_rows(page, "filtered decisions", filters, last_load(con), book.rows, note))
    return book.rows


def last_load(con: duckdb.DuckDBPyConnection) -> object:
    runs = data.run_query(con, "quality_load_runs")
    return runs["finished_at"][0] if runs.height else None


# ---------------------------------------------------------------- the routes serve.py adds to the app

def decisions_url(path: str, page: str, filters: data.Filters) -> str:
    """The link a page gives for its filtered decisions: the route, the page and the filters as in the app's URL."""
    return f"{path}?{urlencode({'page': page, **filters.url_params()}, doseq=True)}"


def streaming_available() -> bool:
    return os.environ.get(STREAMING_ENV) == "1"


def _request_filters(request: Request, con: duckdb.DuckDBPyConnection) -> tuple[str, data.Filters]:
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    page = data.slug((params.get("page") or ["dashboard"])[-1])
    filters, _ = data.parse_filters(params, data.filter_choices(con))
    return page, filters.sound()


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _open_database() -> duckdb.DuckDBPyConnection | Response:
    try:
        return data.connect(data.database_path())
    except data.DatabaseMissing as missing:
        return PlainTextResponse(str(missing), status_code=503)


async def decisions_csv(request: Request) -> Response:
    con = _open_database()
    if isinstance(con, Response):
        return con
    page, filters = _request_filters(request, con)

    def pieces() -> Iterator[bytes]:
        try:
            yield from stream_decisions_csv(con, filters)
        finally:
            con.close()

    return StreamingResponse(pieces(), media_type=CSV_MIME,
                             headers=_attachment(file_name("decisions", page, filters)))


async def decisions_xlsx(request: Request) -> Response:
    con = _open_database()
    if isinstance(con, Response):
        return con
    page, filters = _request_filters(request, con)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        await run_in_threadpool(write_decisions_xlsx, con, filters, path, page)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    finally:
        con.close()
    return FileResponse(path, media_type=XLSX_MIME, headers=_attachment(file_name("decisions", page, filters, "xlsx")),
                        background=BackgroundTask(Path(path).unlink, missing_ok=True))


ROUTES = [Route(DECISIONS_CSV_PATH, decisions_csv), Route(DECISIONS_XLSX_PATH, decisions_xlsx)]
