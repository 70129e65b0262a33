"""The walk of the sources: every folder, file and link under a source is read or listed with the reason
it is not (issue 12, faults 2, 4 and 9)."""

import os
from pathlib import Path

import pytest

from etl import sources
from etl.sources import find_letters, os_path, shown

LATIN1_NAME = os.fsdecode(b"r\xe9sum\xe9.txt")  # a file name that is not UTF-8


def every_path_under(root: Path) -> set[str]:
    """Every path below root as the walk shows it, links included but not followed."""
    found = set()
    for folder, folder_names, file_names in os.walk(root):
        found |= {shown(os.path.join(folder, name)) for name in folder_names + file_names}
    return found


def fates(found: sources.Found) -> dict[str, str]:
    """path -> which list holds it; a path in two lists fails."""
    listed: dict[str, str] = {}
    for fate, paths in (("letter", map(shown, found.letters)), ("folder", found.folders),
                        ("refused", (u.path for u in found.refused)), ("not read", (u.path for u in found.not_read))):
        for path in paths:
            assert path not in listed, f"{path} is both {listed[path]} and {fate}"
            listed[path] = fate
    return listed


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "letters"
    (root / "2017" / "deep").mkdir(parents=True)
    (root / "2017" / "a.txt").write_text("letter")
    (root / "2017" / "deep" / "b.PDF").write_bytes(b"%PDF")
    (root / "2017" / "notes.docx").write_text("no letter")
    (root / "elsewhere").mkdir()
    (root / "elsewhere" / "c.txt").write_text("letter")
    (root / "2018").symlink_to(root / "elsewhere")  # a symlinked subfolder: its letters are read
    (root / "2017" / "deep" / "up").symlink_to(root)  # a link back to the top: a loop
    (root / "gone.txt").symlink_to(root / "missing.txt")  # a link to nothing
    (root / "link-to-a.txt").symlink_to(root / "2017" / "a.txt")
    os.mkfifo(root / "pipe.txt")
    os.mkfifo(root / "pipe")
    return root


def test_every_path_under_a_source_is_in_exactly_one_list_with_a_reason(tree):
    found = find_letters([tree])
    listed = fates(found)
    assert set(listed) - {shown(tree)} == every_path_under(tree)
    assert all(u.reason for u in found.refused + found.not_read)
    assert listed[shown(tree / "2017" / "notes.docx")] == "not read"
    assert listed[shown(tree / "pipe")] == "not read"  # no letter by its name, and not a file either


def test_a_symlinked_subfolder_is_read_once_and_a_link_loop_ends(tree):
    found = find_letters([tree])
    assert str(tree / "elsewhere" / "c.txt") in found.letters  # read where it is ...
    reasons = {u.path: u.reason for u in found.not_read}
    assert "read there" in reasons[shown(tree / "2018")]  # ... and the link to its folder listed, not walked
    assert "read there" in reasons[shown(tree / "2017" / "deep" / "up")]  # the loop ends at once
    assert found.letters == [str(tree / p) for p in ("2017/a.txt", "2017/deep/b.PDF", "elsewhere/c.txt",
                                                     "link-to-a.txt")]


def test_a_link_to_a_folder_outside_the_sources_is_followed_and_a_loop_there_ends(tmp_path):
    outside, source = tmp_path / "outside", tmp_path / "source"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "d.txt").write_text("letter")
    (outside / "sub" / "back").symlink_to(outside)
    source.mkdir()
    (source / "shared").symlink_to(outside)
    found = find_letters([source])
    assert found.letters == [str(source / "shared" / "sub" / "d.txt")]
    reasons = {u.path: u.reason for u in found.not_read}
    assert "again" in reasons[shown(source / "shared" / "sub" / "back")]
    assert set(fates(found)) - {shown(source)} == every_path_under(source) | {
        shown(source / "shared" / p) for p in ("sub", "sub/d.txt", "sub/back")}


def test_a_link_to_nothing_and_a_pipe_named_like_a_letter_are_refused_with_the_reason(tree):
    refused = {u.path: u.reason for u in find_letters([tree]).refused}
    assert "missing.txt" in refused[shown(tree / "gone.txt")]
    assert "named pipe" in refused[shown(tree / "pipe.txt")]


def test_a_named_fifo_is_refused_not_opened(tmp_path):
    os.mkfifo(tmp_path / "stdin-like")  # named on the command line, so it counts as a letter to read
    found = find_letters([tmp_path / "stdin-like"])
    assert found.letters == [] and "named pipe" in found.refused[0].reason


def test_an_unreadable_subfolder_is_refused_with_the_reason(tree, monkeypatch):
    # Tests run as root, who can open any folder: the permission error is simulated.
    listdir, locked = os.listdir, str(tree / "2017")

    def listdir_refusing(path):
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return listdir(path)

    monkeypatch.setattr(os, "listdir", listdir_refusing)
    found = find_letters([tree])
    refused = {u.path: u.reason for u in found.refused}
    assert "Permission denied" in refused[shown(tree / "2017")]
    assert "letters in it" in refused[shown(tree / "2017")]
    assert not any("2017" in path for path in found.letters)


def test_a_name_that_is_not_utf8_is_read_and_shown_as_valid_utf8(tmp_path):
    (tmp_path / LATIN1_NAME).write_text("letter")
    found = find_letters([tmp_path])
    assert found.letters == [str(tmp_path / LATIN1_NAME)]  # the OS path: the file opens
    stored = shown(found.letters[0])
    assert stored.endswith("r\\xe9sum\\xe9.txt")
    stored.encode("utf-8")  # no surrogates left: the database and JSON take it
    assert os_path(stored) == found.letters[0]  # a rebuild finds the file again from the stored path
    assert os_path(shown(tmp_path / "plain.txt")) == str(tmp_path / "plain.txt")


def test_sources_are_walked_in_sorted_order_and_a_path_is_listed_once(tree):
    found = find_letters([tree / "2017", tree, tree / "2017" / "a.txt"])
    assert found.letters.count(str(tree / "2017" / "a.txt")) == 1
    assert found.letters[:2] == [str(tree / "2017" / "a.txt"), str(tree / "2017" / "deep" / "b.PDF")]
