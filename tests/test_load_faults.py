"""The loader's faults found under attack (issue 12), each with the test that reproduces it.

2 a file name that is not UTF-8; 3 a symlinked --db; 4 unreadable and symlinked subfolders;
5 bytes rejected before, at a new path; 6 no size limit; 8 exit codes and tracebacks;
9 a FIFO named as input; 10 UTF-16 letters. (The fuzz test is tests/test_fuzz_load.py.)
"""

import codecs
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from etl import load as loader
from etl.sources import shown
from tests.test_load import ROOT, TEMPLATE, assert_accounted, case_number, last_run, query, write_letters

LATIN1_NAME = os.fsdecode(b"r\xe9sum\xe9.txt")  # not UTF-8: fault 2 aborted the whole load on it


def letter(i: int) -> str:
    return TEMPLATE.format(case_number=case_number(i), decision_date=f"02/{i % 28 + 1:02d}/2017")


def run(*args) -> int:
    return loader.main([os.fspath(a) for a in args])


def python_with_hook(tmp_path: Path, hook: str) -> dict:
    """An environment whose Python processes (the loader and its workers) first run `hook`."""
    folder = tmp_path / "hook"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(textwrap.dedent(hook))
    return os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


# ---------------------------------------------------------------- one load over a tree holding every fault


@pytest.fixture(scope="module")
def faulty_tree(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("faulty")
    letters, elsewhere, db = tmp / "letters", tmp / "elsewhere", tmp / "imr.duckdb"
    letters.mkdir()
    (letters / "CM-0.txt").write_text(letter(0))
    (letters / LATIN1_NAME).write_text(letter(1))
    (letters / "utf16-bom.txt").write_bytes(codecs.BOM_UTF16_LE + letter(2).encode("utf-16-le"))
    (letters / "utf16-no-bom.txt").write_bytes(letter(3).encode("utf-16-le"))
    os.mkfifo(letters / "pipe.txt")  # fault 9: nobody writes it, and the load hung on it
    with open(letters / "huge.txt", "wb") as huge:
        huge.truncate(200 * 1_000_000)  # fault 6: sparse, so it costs no disk
    (letters / "notes.docx").write_text("not a letter")
    (letters / "locked").mkdir()
    (letters / "locked" / "CM-4.txt").write_text(letter(4))
    elsewhere.mkdir()
    for i in (5, 6):
        (elsewhere / f"CM-{i}.txt").write_text(letter(i))
    (letters / "linked").symlink_to(elsewhere)  # fault 4: a symlinked subfolder's letters were never seen

    listdir, locked = os.listdir, str(letters / "locked")

    def listdir_refusing(path):  # tests run as root, who can open any folder: the refusal is simulated
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return listdir(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "listdir", listdir_refusing)
        patch.setattr(sys, "stderr", stderr := io.StringIO())
        status = run(letters, "--db", db, "--workers", "1")
    return {"letters": letters, "db": db, "status": status, "stderr": stderr.getvalue()}


def fates(db: Path) -> dict[str, tuple[str, str | None]]:
    return {path: (status, reason) for path, status, reason in
            query(db, "SELECT path, CAST(status AS VARCHAR), reason FROM files")}


def test_a_name_that_is_not_utf8_is_loaded_and_stored_as_valid_utf8(faulty_tree):
    stored = shown(faulty_tree["letters"] / LATIN1_NAME)
    assert stored.endswith("r\\xe9sum\\xe9.txt")
    assert fates(faulty_tree["db"])[stored] == ("loaded", None)
    assert query(faulty_tree["db"], "SELECT case_number FROM letters WHERE source_file = $path",
                 {"path": stored}) == [(case_number(1),)]


def test_utf16_letters_with_and_without_a_byte_order_mark_are_loaded(faulty_tree):
    files = fates(faulty_tree["db"])
    for name in ("utf16-bom.txt", "utf16-no-bom.txt"):
        assert files[str(faulty_tree["letters"] / name)] == ("loaded", None)


def test_a_fifo_among_the_letters_is_rejected_with_the_reason(faulty_tree):
    status, reason = fates(faulty_tree["db"])[str(faulty_tree["letters"] / "pipe.txt")]
    assert status == "rejected" and "named pipe" in reason


def test_a_file_above_the_size_limit_is_rejected_with_the_reason(faulty_tree):
    status, reason = fates(faulty_tree["db"])[str(faulty_tree["letters"] / "huge.txt")]
    assert status == "rejected" and reason.startswith("too large: 200.0 MB") and "--max-file-mb" in reason


def test_unreadable_and_symlinked_subfolders_are_read_or_logged(faulty_tree):
    letters, files = faulty_tree["letters"], fates(faulty_tree["db"])
    for i in (5, 6):  # read through the link
        assert files[str(letters / "linked" / f"CM-{i}.txt")] == ("loaded", None)
    status, reason = files[str(letters / "locked")]
    assert status == "rejected" and "Permission denied" in reason and "were not read" in reason


def test_the_run_accounts_for_every_path_and_exits_1_for_its_rejections(faulty_tree):
    row = last_run(faulty_tree["db"])
    assert_accounted(row)
    assert (row["files_seen"], row["files_loaded"], row["files_rejected"]) == (9, 6, 3)
    assert faulty_tree["status"] == loader.EXIT_REJECTED
    err = faulty_tree["stderr"]
    assert "notes.docx: only .pdf and .txt files are letters" in err  # the path not read, with its reason
    assert "Traceback" not in err


def test_a_rebuild_reads_the_file_whose_name_is_not_utf8_again(faulty_tree, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(faulty_tree["db"], db)
    assert run("--rebuild", "--db", db, "--quiet", "--workers", "1") == loader.EXIT_REJECTED  # the pipe, huge.txt
    assert last_run(db)["rebuilt"]
    stored = shown(faulty_tree["letters"] / LATIN1_NAME)  # the rebuild found the file from its stored path
    assert fates(db)[stored] == ("loaded", None)


# ---------------------------------------------------------------- fault 2 and 9 through python -m etl.parse


def test_etl_parse_reads_a_name_that_is_not_utf8_refuses_a_fifo_and_writes_valid_utf8(tmp_path):
    (tmp_path / LATIN1_NAME).write_text(letter(1))
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "notes.docx").write_text("not a letter")
    command = [sys.executable, "-m", "etl.parse", os.fsencode(tmp_path), os.fsencode(tmp_path / "pipe.txt")]
    parsed = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120, check=False)
    records = {r["source_file"]: r for r in map(json.loads, parsed.stdout.decode("utf-8").splitlines())}
    assert records[shown(tmp_path / LATIN1_NAME)]["case_number"] == case_number(1)
    assert "named pipe" in records[str(tmp_path / "pipe.txt")]["error"]
    err = parsed.stderr.decode("utf-8")
    assert "notes.docx" in err and "Traceback" not in err
    assert parsed.returncode == 1


# ---------------------------------------------------------------- fault 3: a symlinked --db


def test_a_symlinked_db_updates_the_real_file_and_stays_a_link(tmp_path):
    write_letters(tmp_path / "letters", 2)
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "imr.duckdb"
    link.symlink_to(tmp_path / "real" / "imr.duckdb")  # dangling until the first load
    assert run(tmp_path / "letters", "--db", link, "--quiet", "--workers", "1") == 0
    write_letters(tmp_path / "letters", 1, first=2)
    assert run(tmp_path / "letters", "--db", link, "--quiet", "--workers", "1") == 0
    assert link.is_symlink()
    assert query(tmp_path / "real" / "imr.duckdb", "SELECT count(*) FROM letters") == [(3,)]
    assert (tmp_path / "real" / "imr.duckdb.lock").exists()  # the lock is on the real file's name
    assert sorted(p.name for p in (tmp_path / "links").iterdir()) == ["imr.duckdb"]


# ---------------------------------------------------------------- fault 5: bytes rejected once, at a new path


def test_known_bytes_at_a_new_path_get_their_row_with_the_reason(tmp_path):
    db, first, later = tmp_path / "imr.duckdb", tmp_path / "first", tmp_path / "later"
    write_letters(first, 1)
    (first / "empty.txt").write_bytes(b"")
    assert run(first, "--db", db, "--quiet", "--workers", "1") == loader.EXIT_REJECTED
    later.mkdir()
    for i in range(3):
        (later / f"empty-{i}.txt").write_bytes(b"")  # bytes rejected before, at new paths
    shutil.copyfile(first / f"{case_number(0)}.txt", later / "copy.txt")  # bytes loaded before

    assert run(first, later, "--db", db, "--quiet", "--workers", "1") == loader.EXIT_REJECTED
    row = last_run(db)
    assert_accounted(row)
    assert (row["files_seen"], row["files_skipped"], row["files_duplicate"], row["files_rejected"]) == (6, 2, 1, 3)
    rejected = dict(query(db, "SELECT path, reason FROM v_rejected_files WHERE run_id = 2"))
    assert rejected == {str(later / f"empty-{i}.txt"): "empty file" for i in range(3)}
    [(status, reason)] = query(db, "SELECT CAST(status AS VARCHAR), reason FROM files WHERE path = $path",
                               {"path": str(later / "copy.txt")})
    assert status == "duplicate" and str(first / f"{case_number(0)}.txt") in reason

    assert run(first, later, "--db", db, "--quiet", "--workers", "1") == 0  # every path read before: skipped
    assert last_run(db)["files_skipped"] == 6


# ---------------------------------------------------------------- fault 8: exit codes, and sentences not tracebacks


@pytest.mark.parametrize("command", ["etl.load", "etl.parse"])
def test_help_documents_every_exit_code(command):
    shown_help = subprocess.run([sys.executable, "-m", command, "--help"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout
    assert "exit status:" in shown_help
    for code in (0, 1, 2, 3, 130):
        assert f"\n  {code} " in shown_help, code


def test_a_failed_load_exits_3_not_1(tmp_path, monkeypatch, capsys):
    write_letters(tmp_path / "letters", 1)

    def crash(*args, **kwargs):
        raise ValueError("something unforeseen")

    monkeypatch.setattr(loader, "load", crash)
    assert run(tmp_path / "letters", "--db", tmp_path / "imr.duckdb") == loader.EXIT_FAILED == 3
    err = capsys.readouterr().err
    assert "is unchanged" in err and "please report it" in err


def test_a_full_disk_during_parsing_is_a_sentence_not_a_traceback(tmp_path, monkeypatch, capsys):
    write_letters(tmp_path / "letters", 1)

    def disk_full(*args, **kwargs):  # what a worker's Parquet write raises when the disk is full
        raise pl.exceptions.ComputeError(
            "parquet: File out of specification: underlying IO error: No space left on device (os error 28)")

    monkeypatch.setattr(loader, "load", disk_full)
    assert run(tmp_path / "letters", "--db", tmp_path / "imr.duckdb") == loader.EXIT_FAILED
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Free some space" in err and "ComputeError" not in err


@pytest.fixture
def small_tmpfs(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a size-limited tmpfs here (needs root); the simulated disk-full test stands in")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_during_parsing_leaves_the_database_whole(tmp_path, small_tmpfs):
    letters = tmp_path / "letters"
    write_letters(letters, 1)
    db = small_tmpfs / "imr.duckdb"
    assert run(letters, "--db", db, "--quiet", "--workers", "1") == 0
    before = db.read_bytes()
    words = [os.urandom(4).hex() for _ in range(5000)]  # random, so Parquet cannot compress it away
    for i in range(1, 26):  # about 9 MB of rationale text to write as Parquet: more than the disk has left
        padding = "\n".join(textwrap.wrap(" ".join(words[(i * j) % 5000] for j in range(40000)), 90))
        gains = "and the records do not show objective functional gains from it."
        (letters / f"big-{i}.txt").write_text(letter(i).replace(gains, f"{gains}\n{padding}\n"))
    loaded = subprocess.run([sys.executable, "-m", "etl.load", str(letters), "--db", str(db), "--workers", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert loaded.returncode == loader.EXIT_FAILED, loaded.stderr
    assert "the disk is full" in loaded.stderr and "Traceback" not in loaded.stderr
    assert db.read_bytes() == before
    # The database, its lock and the first load's search index; no write-ahead log or temporary file.
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["imr.duckdb", "imr.duckdb.lock", "imr.search"]


# Signals the final write stage start: the loader lists the workers' Parquet files only then.
MARK_THE_WRITE = """
import os, sys
def _mark(event, args):
    if event == "os.scandir" and str(args[0]).endswith(".parsed"):
        open(os.environ["WRITE_STARTED"], "a").close()
sys.addaudithook(_mark)
"""


def test_sigterm_during_the_final_write_is_a_sentence_and_leaves_the_database_whole(tmp_path):
    db, letters, started = tmp_path / "imr.duckdb", tmp_path / "letters", tmp_path / "write-started"
    write_letters(tmp_path / "first", 3)
    assert run(tmp_path / "first", "--db", db, "--quiet", "--workers", "1") == 0
    write_letters(letters, 300, first=100)
    env = python_with_hook(tmp_path, MARK_THE_WRITE) | {"WRITE_STARTED": str(started)}
    process = subprocess.Popen([sys.executable, "-m", "etl.load", str(letters), "--db", str(db), "--workers", "2"],
                               cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not started.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.exists(), "the load never reached its final write"
    signals = 0
    while process.poll() is None and signals < 500:  # again and again: during the write, then the cleanup
        process.send_signal(signal.SIGTERM)
        signals += 1
        time.sleep(0.005)
    err = process.communicate(timeout=60)[1]
    assert "Traceback" not in err and "Error" not in err, err
    assert process.returncode == loader.EXIT_INTERRUPTED and "is unchanged" in err
    assert query(db, "SELECT count(*) FROM letters") == [(3,)]
    assert not list(tmp_path.glob(f".{db.name}.loading-*"))


# Ctrl-C while the workers start: each worker, as it starts, presses it for the whole process group.
PRESS_CTRL_C_AS_A_WORKER_STARTS = """
import os, signal, sys
if "--multiprocessing-fork" in sys.argv:
    os.killpg(0, signal.SIGINT)
"""


def test_ctrl_c_while_workers_start_prints_no_traceback(tmp_path):
    db = tmp_path / "imr.duckdb"
    write_letters(tmp_path / "letters", 20)
    process = subprocess.run(
        [sys.executable, "-m", "etl.load", str(tmp_path / "letters"), "--db", str(db), "--workers", "2"],
        cwd=ROOT, env=python_with_hook(tmp_path, PRESS_CTRL_C_AS_A_WORKER_STARTS), capture_output=True, text=True,
        timeout=120, check=False, start_new_session=True)  # its own process group, as a terminal gives it
    assert "Traceback" not in process.stderr and "KeyboardInterrupt" not in process.stderr, process.stderr
    assert process.returncode == loader.EXIT_INTERRUPTED and "is unchanged" in process.stderr
    assert not db.exists()


def test_a_fifo_named_to_the_loader_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    write_letters(tmp_path / "letters", 1)
    loaded = subprocess.run([sys.executable, "-m", "etl.load", str(tmp_path / "letters"), str(tmp_path / "pipe.txt"),
                             "--db", str(tmp_path / "imr.duckdb"), "--workers", "1", "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert loaded.returncode == loader.EXIT_REJECTED
    assert "pipe.txt: not a regular file but a named pipe" in loaded.stderr
