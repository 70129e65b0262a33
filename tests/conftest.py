"""Shared fixtures: a database built the real way (the loader) from the dashboard's fixture letters.

tests/fixtures/dashboard/ holds 8 invented letters (13 decisions, 6 overturned) and 2 files the
loader must reject; tests/test_queries.py spells out what a careful reader of them computes.
"""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard import data

FIXTURE_LETTERS = Path(__file__).parent / "fixtures" / "dashboard"


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard") / "imr.duckdb"
    loaded = subprocess.run(
        [sys.executable, "-m", "etl.load", str(FIXTURE_LETTERS), "--db", str(path), "--quiet", "--workers", "1"],
        capture_output=True, text=True, cwd=data.PROJECT_DIR, check=False,
    )
    # Exit status 1 only says some files were rejected, which two fixture files are meant to be.
    assert loaded.returncode in (0, 1) and path.exists(), f"the loader failed:\n{loaded.stderr}"
    return path


@pytest.fixture(scope="session")
def dashboard_con(dashboard_db: Path) -> duckdb.DuckDBPyConnection:
    con = data.connect(dashboard_db)
    yield con
    con.close()


SEARCH_FIXTURE_LETTERS = Path(__file__).parent / "fixtures" / "search"


@pytest.fixture(scope="session")
def search_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dashboard's fixture letters plus tests/fixtures/search/ (a letter whose treatment and rationale
    are written as Markdown and HTML), loaded the real way: the loader also builds the search index."""
    path = tmp_path_factory.mktemp("search") / "imr.duckdb"
    loaded = subprocess.run(
        [sys.executable, "-m", "etl.load", str(FIXTURE_LETTERS), str(SEARCH_FIXTURE_LETTERS), "--db", str(path),
         "--quiet", "--workers", "1"],
        capture_output=True, text=True, cwd=data.PROJECT_DIR, check=False,
    )
    assert loaded.returncode in (0, 1) and path.exists(), f"the loader failed:\n{loaded.stderr}"
    return path
