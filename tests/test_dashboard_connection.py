"""The dashboard's hold on the database: hardened, brief, time-limited (issue 12, items 1, 11 and 12)."""

import os
import shutil
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from etl import load as loader
from tests.test_load import query, write_letters

APP = str(data.PROJECT_DIR / "app.py")


@pytest.fixture
def db(dashboard_db, tmp_path) -> Path:
    """A copy of the fixture database this test may change."""
    copy = tmp_path / "imr.duckdb"
    shutil.copyfile(dashboard_db, copy)
    return copy


def open_files(path: Path) -> list[str]:
    """This process's open files that are the database or its replaced versions."""
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


def decisions_shown(app: AppTest) -> str:
    return next(m.value for m in app.markdown if " decisions** (" in m.value)


def test_a_load_while_the_dashboard_runs_is_seen_on_the_next_view_and_no_file_stays_open(db, monkeypatch, tmp_path):
    monkeypatch.setenv("IMR_DB", str(db))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert decisions_shown(app).startswith("**13 of 13 decisions** (8 letters)")
    assert open_files(db) == []  # nothing held between page views: a load can take the file

    write_letters(tmp_path / "new", 2)
    assert loader.main([str(tmp_path / "new"), "--db", str(db), "--quiet", "--workers", "1", "--wait", "5"]) == 0
    [(decisions,)] = query(db, "SELECT count(*) FROM decisions")
    assert decisions > 13
    app.run()
    assert decisions_shown(app).startswith(f"**{decisions} of {decisions} decisions** (10 letters)")

    # A re-parse swaps in a new file: the next view reads it, and the replaced file is not kept open.
    assert loader.main(["--reparse", "--db", str(db), "--quiet", "--workers", "1"]) in (0, 1)
    app.run()
    assert decisions_shown(app).startswith(f"**{decisions} of {decisions} decisions** (10 letters)")
    assert open_files(db) == []


def test_the_connection_reads_the_database_and_nothing_else(db, tmp_path):
    con = data.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM letters").fetchall() == [(8,)]
        outside = tmp_path / "out.csv"
        refused = [f"COPY letters TO '{outside}'", f"SELECT * FROM read_csv('{db}')",
                   f"ATTACH '{tmp_path / 'other.duckdb'}' AS other", "SET enable_external_access = true",
                   "SET lock_configuration = false", "INSERT INTO load_runs (run_id) VALUES (99)"]
        for sql in refused:
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        assert not outside.exists()
    finally:
        con.close()


def test_the_server_listens_on_this_machine_only_unless_told_otherwise():
    config = tomllib.loads((data.PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"


SLOW_SQL = "SELECT sum(hash(a.range * b.range)) AS n FROM range(200000) a, range(200000) b"


def test_a_query_over_the_time_limit_is_stopped_with_a_sentence(db, monkeypatch):
    monkeypatch.setattr(data, "QUERY_SECONDS", 0.5)
    monkeypatch.setattr(data, "query_text", lambda name: SLOW_SQL)
    with pytest.raises(data.QueryTooSlow, match="longer than the dashboard's limit"):
        data.query_database(db, "slow_view")


def test_queries_beyond_the_concurrency_bound_wait_and_then_give_up_with_a_sentence(db, monkeypatch):
    monkeypatch.setattr(data, "QUERY_SECONDS", 0.3)
    monkeypatch.setattr(data, "_query_slots", threading.BoundedSemaphore(1))
    data._query_slots.acquire()  # one heavy view holds the only slot
    try:
        with pytest.raises(data.QueryTooSlow, match="The dashboard is busy"):
            data.query_database(db, "total_decisions")
    finally:
        data._query_slots.release()
    assert data.query_database(db, "total_decisions")["decisions"][0] == 13


def test_a_page_whose_query_is_stopped_shows_a_sentence_not_a_traceback(db, monkeypatch):
    monkeypatch.setenv("IMR_DB", str(db))

    def too_slow(*args, **kwargs):
        raise data.QueryTooSlow("This view took longer than the dashboard's limit of 30 seconds and was stopped.")

    monkeypatch.setattr(data, "query_database", too_slow)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "longer than the dashboard's limit" in app.error[0].value


def test_a_page_view_during_a_load_waits_for_it_then_says_so_in_a_sentence(db):
    # A load's write stage, in its own process, holds the file.
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
                               "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "open\n"
        with pytest.raises(data.DatabaseBusy, match="A load is writing new letters"):
            data.connect(db, wait_seconds=0.5)
    finally:
        writer.communicate("")
    data.connect(db).close()
