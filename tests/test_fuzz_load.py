"""Fuzzing the loader with generated trees of files (issue 12): whatever the names (bytes that are not
UTF-8 included), sizes, encodings (UTF-8, UTF-16 with and without a byte-order mark), links (to
folders above, to nothing, to themselves, out of the tree) and pipes, the load does not raise, every
run keeps seen = loaded + skipped + duplicates + rejected, and every path under the source is in
`files` or in the run's list of what was not read, with a reason.

Tests run as root, who can open any folder or file, so unreadable folders are simulated (os.listdir
refuses them in the loader, which walks the folders); chmod would not stop root.

IMR_FUZZ_EXAMPLES sets the number of trees (default 25, to keep CI short); the longer run is
    .venv/bin/python bench/fuzz_load_bench.py --trees 200
"""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import load as loader
from etl.sources import shown
from tests.test_load import TEMPLATE, case_number

MAX_FILE_BYTES = 10_000  # the letters are 3 KB (6 KB in UTF-16): a limit the trees can pass
NAME_PARTS = [b"a", b"B", b"7", b"-", b" ", b".", b"\xe9", b"\xff", b"\x80", "é".encode(), "☃".encode()]
SUFFIXES = [b".txt", b".pdf", b".TXT", b".docx", b""]
CONTENTS = ["letter", "letter-utf16", "letter-utf16-no-bom", "copy", "empty", "binary", "too-big", "not-a-pdf",
            "not-a-letter"]
LINK_TARGETS = ["parent", "root", "missing", "itself", "outside", "sibling"]
FOLDER_KINDS = ["folder", "unreadable folder"]
LEAF_KINDS = ["file", "file", "file", "link", "fifo"]

names = st.builds(lambda parts, suffix: b"".join(parts) + suffix,
                  st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=4), st.sampled_from(SUFFIXES)
                  ).filter(lambda name: name not in (b".", b".."))


@st.composite
def trees(draw, depth: int = 0) -> dict:
    """{name: (kind, detail)}: a folder's detail is its own tree."""
    tree = {}
    for name in draw(st.lists(names, max_size=5, unique=True)):
        kind = draw(st.sampled_from(LEAF_KINDS + (FOLDER_KINDS if depth < 2 else [])))
        if kind in FOLDER_KINDS:
            tree[name] = (kind, draw(trees(depth + 1)))
        elif kind == "file":
            tree[name] = (kind, draw(st.sampled_from(CONTENTS)))
        elif kind == "link":
            tree[name] = (kind, draw(st.sampled_from(LINK_TARGETS)))
        else:
            tree[name] = (kind, None)
    return tree


@dataclass
class Built:
    root: bytes
    unreadable: set[str] = field(default_factory=set)  # folders os.listdir refuses
    letters: int = 0


def letter_text(built: Built) -> str:
    built.letters += 1
    return TEMPLATE.format(case_number=case_number(built.letters), decision_date="03/04/2017")


def file_bytes(content: str, built: Built) -> bytes:
    if content == "letter":
        return letter_text(built).encode()
    if content == "letter-utf16":
        return letter_text(built).encode("utf-16")
    if content == "letter-utf16-no-bom":
        return letter_text(built).encode("utf-16-le")
    if content == "copy":  # the same bytes as another file of the tree, maybe
        return TEMPLATE.format(case_number=case_number(1), decision_date="03/04/2017").encode()
    return {"empty": b"", "binary": bytes(range(256)) * 4, "too-big": b"letter " * (MAX_FILE_BYTES // 6),
            "not-a-pdf": b"%PDF-1.4 cut", "not-a-letter": b"Minutes of the meeting.\n"}[content]


def build(folder: bytes, tree: dict, built: Built, outside: bytes) -> None:
    for name, (kind, detail) in tree.items():
        path = os.path.join(folder, name)
        if kind in FOLDER_KINDS:
            os.mkdir(path)
            if kind == "unreadable folder":
                built.unreadable.add(os.fsdecode(path))
            build(path, detail, built, outside)
        elif kind == "file":
            with open(path, "wb") as file:
                file.write(file_bytes(detail, built))
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            siblings = [n for n, (k, _) in tree.items() if k == "file" and n != name]
            target = {"parent": b"..", "root": built.root, "missing": b"nowhere.txt", "itself": name,
                      "outside": outside, "sibling": siblings[0] if siblings else b"gone"}[detail]
            os.symlink(target, path)


def every_path_under(root: bytes) -> list[str]:
    """Every folder, file and link below root, links not followed (what a person sees in the tree)."""
    found = []
    for folder, folder_names, file_names in os.walk(root):
        found += [os.fsdecode(os.path.join(folder, name)) for name in folder_names + file_names]
    return found


def check_accounted(root: bytes, db: Path, result: loader.LoadResult) -> int:
    """Every path under root is in files or the run's lists, with a reason; returns how many paths there were."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        files = {path for (path,) in con.execute("SELECT path FROM files").fetchall()}
        [(without_reason,)] = con.execute(
            "SELECT count(*) FROM files WHERE status <> 'loaded' AND coalesce(reason, '') = ''").fetchall()
        run = con.sql("SELECT * FROM load_runs ORDER BY run_id DESC LIMIT 1").pl().row(0, named=True)
    finally:
        con.close()
    assert without_reason == 0, "a rejected or duplicate file without its reason"
    c = result.counts
    assert c.seen == c.loaded + c.skipped + c.duplicate + c.rejected
    assert (run["files_seen"], run["files_loaded"], run["files_skipped"], run["files_duplicate"],
            run["files_rejected"]) == (c.seen, c.loaded, c.skipped, c.duplicate, c.rejected)
    not_read = {unread.path: unread.reason for unread in result.not_read}
    assert all(not_read.values())
    walked = set(result.folders)
    paths = every_path_under(root)
    for path in paths:
        stored = shown(path)
        if stored in files or stored in not_read or stored in walked:
            continue
        # Below a folder that was not walked (unreadable, or read through another path): that folder has its reason.
        ancestors = [shown(a) for a in Path(path).parents]
        assert any(a in files or a in not_read for a in ancestors), f"{stored} is nowhere"
    return len(paths)


def load_and_check(tree: dict, reload: bool) -> int:
    """Build the tree, load it (twice if `reload`), check every run; returns the paths checked."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        root, outside = os.fsencode(tmp) + b"/letters", os.fsencode(tmp) + b"/outside"
        os.mkdir(root)
        os.mkdir(outside)
        built = Built(root)
        with open(outside + b"/outside.txt", "wb") as file:
            file.write(letter_text(built).encode())
        build(root, tree, built, outside)
        listdir = os.listdir

        def listdir_refusing(path):
            if os.fspath(path) in built.unreadable:
                raise PermissionError(13, "Permission denied", path)
            return listdir(path)

        patch.setattr(os, "listdir", listdir_refusing)
        db = Path(tmp) / "imr.duckdb"
        source = Path(os.fsdecode(root))
        paths = check_accounted(root, db, loader.load([source], db, 1, show_progress=False,
                                                      max_file_bytes=MAX_FILE_BYTES))
        if reload:
            again = loader.load([source], db, 1, show_progress=False, max_file_bytes=MAX_FILE_BYTES)
            paths += check_accounted(root, db, again)
            assert (again.counts.loaded, again.counts.duplicate) == (0, 0), "a file read before was not skipped"
        return paths


@settings(max_examples=int(os.environ.get("IMR_FUZZ_EXAMPLES", "25")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tree=trees(), reload=st.booleans())
def test_every_path_of_a_generated_tree_is_accounted_for_and_nothing_raises(tree, reload):
    load_and_check(tree, reload)


def test_the_generated_trees_hold_what_the_loader_failed_on():
    """The strategy can produce the faults of issue 12 (so the fuzz test can fail on them)."""
    example = {b"r\xe9sum\xe9.txt": ("file", "letter-utf16-no-bom"), b"pipe.txt": ("fifo", None),
               b"sub": ("unreadable folder", {b"a.txt": ("file", "letter")}),
               b"up": ("link", "parent"), b"out": ("link", "outside"), b"loop.txt": ("link", "itself"),
               b"big.txt": ("file", "too-big"), b"copy.txt": ("file", "copy")}
    assert load_and_check(example, reload=True) == 2 * len(example) + 2  # sub/a.txt, twice

