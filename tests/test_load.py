"""The loader: accounting, incremental loads, rebuilds, and surviving a kill part way."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl import load as loader
from etl.vocab import ERROR_EMPTY, ERROR_NOT_IMR, ERROR_UNREADABLE_PDF

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures") / "load"
TEMPLATE = (FIXTURES / "letter-template.txt").read_text()
GOLDEN_RECORD = ROOT / "tests" / "fixtures" / "letters" / "final-2015-page-citations.json"
REAL_LETTERS = ROOT.parent / "shared" / "letters" / "real-dev"


def case_number(i: int) -> str:
    return f"CM17-{i:07d}"


def write_letters(folder: Path, count: int, first: int = 0) -> list[Path]:
    """Letters made from the fixture template, one case number each, decision dates spread over two years."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(first, first + count):
        decision_date = f"{i % 12 + 1:02d}/{i % 28 + 1:02d}/{2016 + i % 2}"
        path = folder / f"{case_number(i)}.txt"
        path.write_text(TEMPLATE.format(case_number=case_number(i), decision_date=decision_date))
        paths.append(path)
    return paths


def run(*args: str | Path) -> int:
    return loader.main([str(a) for a in args])


def query(db: Path, sql: str, parameters: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, parameters).fetchall()
    finally:
        con.close()


def last_run(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("SELECT * FROM load_runs ORDER BY run_id DESC LIMIT 1").pl().row(0, named=True)
    finally:
        con.close()


def assert_accounted(run_row: dict) -> None:
    assert run_row["files_seen"] == (run_row["files_loaded"] + run_row["files_skipped"]
                                     + run_row["files_duplicate"] + run_row["files_rejected"])


def test_second_run_over_the_same_folder_loads_nothing_and_skips_everything(tmp_path, capsys):
    letters, db = tmp_path / "letters", tmp_path / "imr.duckdb"
    write_letters(letters, 30)

    assert run(letters, "--db", db, "--workers", "2") == 0
    first = last_run(db)
    assert (first["files_seen"], first["files_loaded"], first["files_skipped"]) == (30, 30, 0)
    assert "Files seen 30 = loaded 30" in capsys.readouterr().err

    assert run(letters, "--db", db, "--workers", "2") == 0
    second = last_run(db)
    assert (second["files_seen"], second["files_loaded"], second["files_skipped"]) == (30, 0, 30)
    assert second["parse_seconds"] == 0  # skipped by hash, never parsed
    assert query(db, "SELECT count(*), count(DISTINCT case_number) FROM letters") == [(30, 30)]
    assert query(db, "SELECT count(*) FROM load_runs") == [(2,)]


def test_every_file_is_accounted_for_and_rejections_keep_the_reason(tmp_path, capsys):
    letters, db = tmp_path / "letters", tmp_path / "imr.duckdb"
    good = write_letters(letters, 5)
    (letters / "copy-of-first.txt").write_bytes(good[0].read_bytes())  # same bytes, other name
    (letters / "resent.txt").write_text(  # same case, different bytes
        TEMPLATE.format(case_number=case_number(1), decision_date="02/02/2017") + "\nResent.\n")
    (letters / "empty.txt").write_bytes(b"")
    (letters / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (letters / "minutes.txt").write_bytes((FIXTURES / "not-a-letter.txt").read_bytes())
    (letters / "broken.pdf").write_bytes((FIXTURES / "broken.pdf").read_bytes())

    assert run(letters, "--db", db, "--quiet") == 1  # a rejection is an error, the rest still loads
    err = capsys.readouterr().err
    assert "Files seen" not in err  # --quiet drops the summary ...
    assert "4 file(s) were rejected" in err and "empty.txt: empty file" in err  # ... not the errors

    row = last_run(db)
    assert_accounted(row)
    assert (row["files_seen"], row["files_loaded"], row["files_duplicate"], row["files_rejected"]) == (11, 5, 2, 4)
    reasons = dict(query(db, "SELECT parse_filename(path), reason FROM v_rejected_files"))
    assert reasons["empty.txt"] == ERROR_EMPTY
    assert reasons["minutes.txt"] == ERROR_NOT_IMR
    assert reasons["broken.pdf"].startswith(ERROR_UNREADABLE_PDF)
    assert "binary" in reasons["junk.txt"]
    statuses = dict(query(db, "SELECT parse_filename(path), CAST(status AS VARCHAR) FROM files"))
    assert len(statuses) == 11  # every file read has its row, whatever became of it
    assert statuses["resent.txt"] == statuses["copy-of-first.txt"] == "duplicate"
    assert query(db, "SELECT count(*) FROM letters") == [(5,)]

    # The same folder again: everything was read before, rejected files included.
    assert run(letters, "--db", db, "--quiet") == 0
    again = last_run(db)
    assert_accounted(again)
    assert (again["files_seen"], again["files_skipped"]) == (11, 11)


def test_rows_are_stored_sorted_by_decision_date_with_their_text_and_source(tmp_path):
    letters, db = tmp_path / "letters", tmp_path / "imr.duckdb"
    write_letters(letters, 20)
    run(letters, "--db", db, "--quiet")
    write_letters(letters, 20, first=20)  # an incremental load interleaves with the first
    run(letters, "--db", db, "--quiet")

    # Each load appends its own letters sorted by decision date, after the earlier ones: no re-sort.
    for table in ("letters", "decisions", "citations", "decision_facts"):
        stored = query(db, f"SELECT l.run_id, l.decision_date FROM {table} t JOIN letters l USING (letter_id) "
                           "ORDER BY t.rowid")
        assert stored == sorted(stored), table
        assert {run_id for run_id, _ in stored} == {1, 2}
    texts = [i for (i,) in query(db, "SELECT letter_id FROM letter_texts ORDER BY rowid")]
    assert texts == sorted(texts) == list(range(1, 41))
    text, source = query(db, "SELECT t.full_text, l.source_file FROM letters l JOIN letter_texts t USING (letter_id) "
                             "WHERE case_number = $case", {"case": case_number(7)})[0]
    assert case_number(7) in text and "IMR ISSUES, DECISIONS AND RATIONALES" in text
    assert source == str(letters / f"{case_number(7)}.txt")
    assert query(db, "SELECT count(*) FROM decision_facts") == query(db, "SELECT count(*) FROM decisions")


def test_a_new_parser_version_parses_the_stored_text_again_even_when_files_moved(tmp_path, monkeypatch, capsys):
    """Issue 9's data loss: 60 letters loaded, 10 of their files moved or deleted, then a parser upgrade."""
    db = tmp_path / "imr.duckdb"
    letters = write_letters(tmp_path / "letters", 60)
    assert run(tmp_path / "letters", "--db", db, "--quiet") == 0
    before = query(db, "SELECT letter_id, case_number, decision_date FROM letters ORDER BY letter_id")
    (tmp_path / "moved").mkdir()
    for path in letters[:5]:
        path.rename(tmp_path / "moved" / path.name)
    for path in letters[5:10]:
        path.unlink()

    monkeypatch.setattr(loader, "PARSER_VERSION", "next-version")
    write_letters(tmp_path / "new", 3, first=100)
    assert run(tmp_path / "new", "--db", db) == 0
    err = capsys.readouterr().err
    assert "the parser changed from version" in err and "60 re-parsed, 0 kept their old record" in err
    reparse, refresh = query(db, "SELECT letters_reparsed, reparse_failures, files_seen, files_loaded, "
                                 "parser_version FROM load_runs WHERE run_id > 1 ORDER BY run_id")
    assert reparse == (60, 0, 0, 0, "next-version")
    assert refresh == (0, 0, 3, 3, "next-version")
    assert query(db, "SELECT letter_id, case_number, decision_date FROM letters WHERE letter_id <= 60 "
                     "ORDER BY letter_id") == before
    assert query(db, "SELECT count(*), count(DISTINCT letter_id), count(DISTINCT case_number) FROM letters") == [
        (63, 63, 63)]
    assert query(db, "SELECT count(*) FROM letter_texts") == [(63,)]
    assert query(db, "SELECT count(*) FROM decision_facts") == query(db, "SELECT count(*) FROM decisions")

    # --rebuild reads the files again: it says it would drop the 10 letters whose files are gone, and does not.
    assert run("--rebuild", "--db", db) == loader.EXIT_FAILED  # refused, nothing changed
    assert "the files of 10 loaded letter(s) are gone" in capsys.readouterr().err
    assert query(db, "SELECT count(*) FROM letters") == [(63,)]
    assert run("--rebuild", "--drop-missing", "--db", db, "--quiet") == 1  # the gone files are listed as rejected
    assert query(db, "SELECT count(*) FROM letters") == [(53,)]
    assert (last_run(db)["rebuilt"], last_run(db)["files_rejected"]) == (True, 10)
    assert query(db, "SELECT count(*) FROM load_runs") == [(4,)]  # the history survives


def test_a_letter_the_new_parser_fails_on_keeps_its_old_record_and_is_listed(tmp_path, capsys):
    db = tmp_path / "imr.duckdb"
    write_letters(tmp_path / "letters", 8)
    assert run(tmp_path / "letters", "--db", db, "--quiet") == 0
    before = query(db, "SELECT * FROM decision_facts ORDER BY letter_id, item_no")
    # What a stricter parser would say of this letter's text: it is not an IMR letter.
    con = duckdb.connect(str(db))
    con.execute("UPDATE letter_texts SET full_text = 'Minutes of the meeting.' WHERE letter_id = 3")
    con.close()

    assert run("--reparse", "--db", db) == 1
    err = capsys.readouterr().err
    assert "7 re-parsed, 1 kept their old record" in err
    assert f"{case_number(2)}.txt: {ERROR_NOT_IMR}" in err
    assert query(db, "SELECT letter_id, case_number, reason FROM reparse_failures") == [
        (3, case_number(2), ERROR_NOT_IMR)]
    assert query(db, "SELECT * FROM decision_facts ORDER BY letter_id, item_no") == before
    assert query(db, "SELECT count(*) FROM letters") == [(8,)]


def test_usage_errors_name_the_problem(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path / "no-such-folder", "--db", tmp_path / "imr.duckdb")
    assert exit_info.value.code == 2
    assert "no-such-folder" in capsys.readouterr().err
    assert not (tmp_path / "imr.duckdb").exists()


def test_a_database_file_that_is_not_duckdb_is_left_alone_with_a_clear_error(tmp_path, capsys):
    write_letters(tmp_path / "letters", 2)
    db = tmp_path / "imr.duckdb"
    db.write_text("not a database")
    assert run(tmp_path / "letters", "--db", db) == loader.EXIT_FAILED
    assert "cannot be opened as a DuckDB database" in capsys.readouterr().err
    assert db.read_text() == "not a database"


def test_a_record_outside_the_contract_is_rejected_with_the_field_named():
    record = json.loads(GOLDEN_RECORD.read_text())
    record["layout"] = None  # as for the seed letter, whose layout the parser does not name
    rows = loader.record_rows(record, "text", "sha", "letter.txt")
    assert len(rows.decisions) == 3 and len(rows.citations) == 6
    assert rows.letter[3] == "unknown"

    record["decisions"][1]["outcome"] = "partly upheld"
    with pytest.raises(loader.RecordError, match="decision 2 has outcome 'partly upheld'"):
        loader.record_rows(record, "text", "sha", "letter.txt")
    record = json.loads(GOLDEN_RECORD.read_text())
    record["decisions"][0]["imr_citations"][0]["pages"] = ["66a"]
    with pytest.raises(loader.RecordError, match="pages"):
        loader.record_rows(record, "text", "sha", "letter.txt")


def test_the_frames_schemas_are_the_tables_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "schema.duckdb"))
    loader.create_schema(con)
    for table, schema in loader.TABLE_SCHEMAS.items():
        columns = [name for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = $table ORDER BY column_index",
            {"table": table}).fetchall()]
        assert list(schema.names()) == columns, table
    # a parsed letter or decision row carries its texts too, which the write stage splits off
    for table, text_table in (("letters", "letter_texts"), ("decisions", "decision_texts"), ("citations", None)):
        stored = set(loader.TABLE_SCHEMAS[table].names()) | set(loader.TABLE_SCHEMAS.get(text_table, {}))
        assert set(loader.PARSED_SCHEMAS[table].names()) <= stored | {"source_file"}
    con.close()


# ---------------------------------------------------------------- killed part way


def child_pids(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


# Installed in the stuck load's processes (workers included, as they inherit PYTHONPATH): opening a
# file named stuck.txt never returns. (A FIFO no longer does it: the loader refuses FIFOs.)
STALL_ON_OPEN = """
import sys, time
def _stall(event, args):
    if event == "open" and str(args[0]).endswith("stuck.txt"):
        time.sleep(3600)
sys.addaudithook(_stall)
"""


def start_stuck_load(tmp_path: Path, db: Path) -> subprocess.Popen:
    """A load of a few hundred letters that hangs part way: opening its last input never returns."""
    letters = tmp_path / "more"
    write_letters(letters, 300, first=1000)
    stuck = tmp_path / "stuck.txt"
    stuck.write_text("never read")
    hook = tmp_path / "stall-hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(STALL_ON_OPEN)
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(
        [sys.executable, "-m", "etl.load", str(letters), str(stuck), "--db", str(db), "--workers", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    temp_files = []
    while not temp_files and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
        temp_files = list(db.parent.glob(f".{db.name}.loading-*"))
    assert temp_files, f"the load never started writing: {process.communicate()}"
    time.sleep(1.5)  # let it stage the letters ahead of the FIFO
    assert process.poll() is None
    return process


@pytest.mark.parametrize("kill_signal", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_a_load_killed_part_way_leaves_the_previous_database_whole(tmp_path, kill_signal):
    db = tmp_path / "imr.duckdb"
    write_letters(tmp_path / "first", 20)
    assert run(tmp_path / "first", "--db", db, "--quiet") == 0
    before = query(db, "SELECT count(*) FROM letters")

    process = start_stuck_load(tmp_path, db)
    workers = child_pids(process.pid)
    reader = duckdb.connect(str(db), read_only=True)  # the dashboard, reading throughout
    process.send_signal(kill_signal)
    _, err = process.communicate(timeout=30)

    assert query(db, "SELECT count(*) FROM letters") == before
    assert reader.execute("SELECT count(*) FROM letters").fetchall() == before
    reader.close()
    assert query(db, "SELECT count(*) FROM load_runs") == [(1,)]
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "workers outlived the loader"
    if kill_signal != signal.SIGKILL:
        assert process.returncode == 130 and "is unchanged" in err
        assert not list(tmp_path.glob(f".{db.name}.loading-*"))

    # Whatever was left behind does not block the next load, which cleans it up.
    os.unlink(tmp_path / "stuck.txt")
    assert run(tmp_path / "more", "--db", db, "--quiet") == 0
    assert query(db, "SELECT count(*) FROM letters") == [(320,)]
    assert not list(tmp_path.glob(f".{db.name}.loading-*"))


@pytest.mark.real_letters
@pytest.mark.skipif(not REAL_LETTERS.is_dir(), reason="../shared/letters/real-dev is not beside the project")
def test_the_real_letters_load_and_are_all_accounted_for(tmp_path):
    db = tmp_path / "imr.duckdb"
    status = run(REAL_LETTERS, "--db", db, "--quiet")
    row = last_run(db)
    assert row["files_seen"] == 40
    assert_accounted(row)
    assert status == (1 if row["files_rejected"] else 0)
    # Each real letter is named by its case number: the loaded ones must carry it.
    loaded = query(db, "SELECT parse_filename(source_file, true), case_number FROM letters")
    assert len(loaded) == row["files_loaded"] > 30
    assert all(stem == case for stem, case in loaded)
    assert query(db, "SELECT count(*) FROM decision_facts WHERE decision_date IS NULL") == [(0,)]


def test_a_second_load_while_one_is_running_is_refused_and_changes_nothing(tmp_path, capsys):
    db = tmp_path / "imr.duckdb"
    write_letters(tmp_path / "first", 5)
    assert run(tmp_path / "first", "--db", db, "--quiet") == 0
    process = start_stuck_load(tmp_path, db)
    try:
        assert run(tmp_path / "first", "--db", db) == loader.EXIT_FAILED
        assert "Another load is writing" in capsys.readouterr().err
        assert list(tmp_path.glob(f".{db.name}.loading-*")), "the running load's work was removed"
    finally:
        process.kill()
        process.communicate()
    assert query(db, "SELECT count(*) FROM load_runs") == [(1,)]


def write_locked(db: Path) -> bool:
    """True while another process holds the database for writing (a load's write stage)."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            return True
        raise
    return False


def assert_whole(db: Path, letters: int, runs: int) -> None:
    """The database holds exactly the letters of its committed runs, every table agreeing."""
    assert query(db, "SELECT count(*), count(DISTINCT letter_id), count(DISTINCT case_number) FROM letters") == [
        (letters, letters, letters)]
    assert query(db, "SELECT count(*) FROM letter_texts") == [(letters,)]
    assert query(db, "SELECT count(*) FROM decision_facts") == query(db, "SELECT count(*) FROM decisions")
    assert query(db, "SELECT count(*), sum(files_loaded) FROM load_runs") == [(runs, letters)]
    assert query(db, "SELECT count(*) FROM files WHERE status = 'loaded'") == [(letters,)]


@pytest.mark.parametrize("moment", ["waiting to write", "writing", "writing + 0.3 s", "writing + 1 s"])
def test_a_refresh_killed_at_any_moment_of_its_write_leaves_whole_data_and_the_next_load_finishes(tmp_path,
                                                                                                    moment):
    db = tmp_path / "imr.duckdb"
    write_letters(tmp_path / "first", 20)
    assert run(tmp_path / "first", "--db", db, "--quiet") == 0
    write_letters(tmp_path / "more", 200, first=1000)

    dashboard = subprocess.Popen(  # a reader holds the file, so the load waits to write
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
                               "print('open', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert dashboard.stdout.readline() == "open\n"
    process = subprocess.Popen(
        [sys.executable, "-m", "etl.load", str(tmp_path / "more"), "--db", str(db), "--workers", "2", "--quiet",
         "--wait", "600"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    # The run's file log is written last, just before the write stage: from then on the load waits
    # for the reader to let go.
    while not list(tmp_path.glob(f".{db.name}.loading-*/files-*.parquet")):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    time.sleep(0.5)
    if moment != "waiting to write":
        dashboard.communicate("")
        while not write_locked(db):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.01)
        time.sleep({"writing": 0.0, "writing + 0.3 s": 0.3, "writing + 1 s": 1.0}[moment])
    process.kill()
    process.communicate()
    if dashboard.poll() is None:
        dashboard.communicate("")

    # Killed before its commit the load left nothing; after it, everything.
    [(letters,)] = query(db, "SELECT count(*) FROM letters")
    assert letters in (20, 220)
    assert_whole(db, letters, 1 if letters == 20 else 2)
    if moment == "waiting to write":
        assert letters == 20

    # The next load cleans up, and every file ends up accounted for once.
    assert run(tmp_path / "more", "--db", db, "--quiet") == 0
    assert_accounted(last_run(db))
    assert_whole(db, 220, 2 if letters == 20 else 3)
    assert not list(tmp_path.glob(f".{db.name}.loading-*"))


def test_a_case_loaded_by_an_earlier_run_is_a_duplicate_naming_its_file(tmp_path):
    db = tmp_path / "imr.duckdb"
    write_letters(tmp_path / "first", 3)
    assert run(tmp_path / "first", "--db", db, "--quiet") == 0
    resent = tmp_path / "later" / "resent.txt"
    resent.parent.mkdir()
    resent.write_text(TEMPLATE.format(case_number=case_number(1), decision_date="02/02/2017") + "\nResent.\n")
    assert run(tmp_path / "later", "--db", db, "--quiet") == 0
    assert (last_run(db)["files_duplicate"], last_run(db)["files_loaded"]) == (1, 0)
    assert query(db, "SELECT reason FROM files WHERE path = $path", {"path": str(resent)}) == [
        (f"case {case_number(1)} is already loaded from {tmp_path / 'first' / (case_number(1) + '.txt')}",)]
