"""Exports: the Parquet export of every table (etl/export.py), and the dashboard's CSV and Excel downloads
(dashboard/export.py): names, headers, filter sheet, formula neutralisation, batches equal to the whole."""

import asyncio
import csv
import io
from datetime import date

import duckdb
import openpyxl
import polars as pl
import pytest
from starlette.requests import Request
from starlette.responses import Response

from dashboard import data
from dashboard import export as dashboard_export
from etl import export, load, vocab
from tests.test_load import write_letters

TABLES = ("letters", "decisions", "citations", "decision_facts", "files")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    db = folder / "imr.duckdb"
    write_letters(folder / "letters", 12)
    (folder / "letters" / "empty.txt").write_bytes(b"")
    assert load.main([str(folder / "letters"), "--db", str(db), "--quiet"]) == 1
    out = folder / "parquet"
    assert export.main(["--parquet", str(out), "--db", str(db), "--quiet"]) == 0
    assert export.main(["--parquet", str(out), "--db", str(db), "--quiet"]) == 0  # again: replaces, never appends
    return db, out


def read_back(out, table: str) -> pl.DataFrame:
    return pl.read_parquet(out / table / "**" / "*.parquet", hive_partitioning=True)


@pytest.mark.parametrize("table", TABLES)
def test_each_table_reads_back_whole(exported, table):
    db, out = exported
    con = duckdb.connect(str(db), read_only=True)
    stored = con.sql(f"SELECT * FROM {table}").pl()
    con.close()
    parquet = read_back(out, table)
    assert parquet.height == stored.height > 0
    keys = [c for c in ("letter_id", "item_no", "side", "cite_no", "path") if c in stored.columns]
    as_text = [pl.col(c).cast(pl.String) for c, t in stored.schema.items() if isinstance(t, pl.Enum | pl.Categorical)]
    expected = stored.with_columns(as_text).sort(keys)
    assert parquet.select(stored.columns).with_columns(as_text).sort(keys).equals(expected)


def test_partitions_are_the_decision_years(exported):
    _, out = exported
    assert sorted(p.name for p in (out / "decisions").iterdir()) == ["decision_year=2016", "decision_year=2017"]
    letters = read_back(out, "letters")
    assert (letters["decision_year"] == letters["decision_date"].dt.year()).all()
    files = read_back(out, "files")
    assert files.filter(pl.col("status") == "rejected")["decision_year"].is_null().all()
    assert pl.read_parquet(out / "load_runs.parquet").height == 1


def test_a_missing_database_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        export.main(["--parquet", str(tmp_path / "out"), "--db", str(tmp_path / "none.duckdb")])
    assert exit_info.value.code == 2
    assert "there is no database at" in capsys.readouterr().err


# ---------------------------------------------------------------- the dashboard's exports (dashboard/export.py)

FORMULAS = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rReturn", "Norco #60", None]


def small_table() -> pl.DataFrame:
    return data.with_rates(pl.DataFrame({
        "treatment": FORMULAS,
        "decisions": [2588, 2, 3, 40, 5, 6, 7, 8],
        "overturned": [1000, 1, 1, 10, 1, 1, 1, 1],
        "reviewer_license_states": [["CA", "NC"], [], None, ["TX"], ["CA"], ["CA"], ["CA"], ["CA"]],
    }))


def test_a_table_csv_has_human_headers_numeric_rates_and_no_formulas():
    raw = dashboard_export.csv_bytes(small_table())
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Treatment", "Decisions", "Overturned", "Reviewer licence states", "Overturn rate (%)",
                       "95% interval from (%)", "95% interval to (%)", "Enough to judge"]
    assert [row[0] for row in rows[1:]] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rReturn", "Norco #60", ""]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Reviewer licence states"] == "CA, NC"  # lists become readable text
    assert float(first["Overturn rate (%)"]) == pytest.approx(38.64, abs=0.005)  # a number, 2 decimals at most
    assert len(first["95% interval from (%)"].split(".")[-1]) <= 2
    assert first["Enough to judge"] == "true"


def test_a_file_name_carries_the_page_the_table_and_every_filter():
    filters = data.Filters(date_from=date(2018, 1, 1), date_to=date(2020, 12, 31),
                           drug_classes=("Opioids", "NSAID"), sexes=("female",))
    assert dashboard_export.file_name("decisions", "Medications", filters) == (
        "imr-medications-decisions_from-2018-01-01_to-2020-12-31_drug_class-opioids+nsaid_sex-female.csv")
    assert dashboard_export.file_name("top drugs", "medications", data.Filters(), "xlsx") == (
        "imr-medications-top-drugs_all.xlsx")
    many = data.Filters(drugs=("a", "b", "c", "d", "e"), reasons=("criteria_met",))
    assert dashboard_export.file_name("x", "letters", many) == (
        "imr-letters-x_drug-a+b+c+2-more_reasons-criteria-met.csv")
    huge = data.Filters(specialties=tuple(vocab.SPECIALTIES), drugs=tuple(f"drug {n}" * 9 for n in range(9)),
                        categories=tuple(vocab.SERVICE_CATEGORIES))
    name = dashboard_export.file_name("decisions", "overview", huge)
    assert len(name) <= dashboard_export.MAX_NAME + len("-etc.csv") and name.endswith("-etc.csv")


def test_a_table_workbook_has_its_rows_and_a_sheet_saying_what_they_are():
    filters = data.Filters(drug_classes=("Opioids",), reasons=("no_functional_improvement",))
    about = dashboard_export.about_rows("Medications", "drug classes", filters, "2026-12-01 10:00:00", 8)
    book = openpyxl.load_workbook(io.BytesIO(dashboard_export.xlsx_bytes(small_table(), about)))
    assert book.sheetnames == ["Rows", "About these rows"]
    rows = list(book["Rows"].iter_rows(values_only=True))
    assert rows[0] == ("Treatment", "Decisions", "Overturned", "Reviewer licence states", "Overturn rate",
                       "95% interval from", "95% interval to", "Enough to judge")
    # xlsx stores a carriage return as _x000D_, which Excel reads back as one and openpyxl leaves as it is.
    assert [row[0] and row[0].replace("_x000D_", "\r") for row in rows[1:]] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rReturn", "Norco #60", None]
    cells = book["Rows"]
    assert all(cells.cell(row=r, column=1).data_type == "s" for r in range(2, 9))  # text, never a formula
    rate = cells.cell(row=2, column=5)
    assert rate.value == pytest.approx(1000 / 2588) and rate.number_format == "0.0%"
    assert cells.cell(row=2, column=2).value == 2588 and cells.cell(row=2, column=2).number_format == "#,##0"
    sheet = dict(book["About these rows"].iter_rows(values_only=True))
    assert sheet["Page"] == "Medications" and sheet["Table"] == "drug classes"
    assert sheet["Filter: drug class"] == "Opioids"
    assert sheet["Filter: reviewer's reason"] == "no functional improvement documented"
    assert sheet["Database last loaded"] == "2026-12-01 10:00:00"
    assert sheet["Rows"] == "8"


@pytest.mark.parametrize("filters", [data.Filters(), data.Filters(outcomes=("overturned",)),
                                     data.Filters(drugs=("no such drug",))])
def test_the_decisions_csv_in_batches_equals_it_whole(dashboard_con, filters):
    whole = dashboard_export.csv_bytes(data.run_query(dashboard_con, "decisions_export", filters.params()))
    for batch_rows in (1, 3, 1000):
        assert b"".join(dashboard_export.stream_decisions_csv(dashboard_con, filters, batch_rows)) == whole
    text = whole.decode("utf-8-sig")
    assert text.startswith("Case number,Decision date,Item,Treatment,")
    assert text.count("\n") == 1 + data.run_query(dashboard_con, "decisions_export", filters.params()).height


def test_the_decisions_workbook_has_every_row_and_the_last_load(dashboard_con, tmp_path):
    target = tmp_path / "decisions.xlsx"
    filters = data.Filters(sexes=("female",))
    assert dashboard_export.write_decisions_xlsx(dashboard_con, filters, str(target), "overview", 2) == 6
    book = openpyxl.load_workbook(target)
    rows = list(book["Rows"].iter_rows(values_only=True))
    assert len(rows) == 7 and rows[0][:3] == ("Case number", "Decision date", "Item")
    about = dict(book["About these rows"].iter_rows(values_only=True))
    assert about["Rows"] == "6" and about["Filter: sex"] == "female"
    assert about["Database last loaded"] != "never"


def test_a_workbook_past_excels_row_limit_says_so(dashboard_con, tmp_path, monkeypatch):
    monkeypatch.setattr(dashboard_export, "EXCEL_MAX_ROWS", 5)
    target = tmp_path / "decisions.xlsx"
    assert dashboard_export.write_decisions_xlsx(dashboard_con, data.Filters(), str(target), "overview", 3) == 5
    about = dict(openpyxl.load_workbook(target)["About these rows"].iter_rows(values_only=True))
    assert "the first 5 of the filtered decisions" in about["Note"]


def test_the_streamed_route_sends_the_filtered_decisions(dashboard_db, dashboard_con, monkeypatch):
    monkeypatch.setenv("IMR_DB", str(dashboard_db))
    filters = data.Filters(sexes=("female",), drug_classes=("Opioids",))
    url = dashboard_export.decisions_url(dashboard_export.DECISIONS_CSV_PATH, "medications", filters)
    path, query = url.split("?")
    request = Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
                       "headers": []})

    async def body() -> tuple[Response, bytes]:
        response = await dashboard_export.decisions_csv(request)
        return response, b"".join([piece async for piece in response.body_iterator])

    response, sent = asyncio.run(body())
    assert response.headers["content-disposition"] == (
        'attachment; filename="imr-medications-decisions_drug_class-opioids_sex-female.csv"')
    assert sent == dashboard_export.csv_bytes(data.run_query(dashboard_con, "decisions_export", filters.params()))
