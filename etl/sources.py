"""Which paths under the sources are letters to read, and why each other one is not read.

Every folder, file and link under a source ends up in exactly one of these lists:

- `letters`: regular .pdf/.txt files (any file named on the command line), to be read;
- `refused`: paths that may hold letters but cannot be read (a folder that cannot be opened,
  a link to nothing, a named pipe or device called `*.txt`): the loader logs each as a rejected
  file with the reason, so it shows on the Data quality page;
- `not_read`: paths that are no letter by their name (`notes.docx`), links to a folder that is
  under the sources anyway (so a link loop ends) and folders reached a second time: listed with
  the reason, not logged;
- `folders`: the folders walked.

A link to a folder outside the sources is followed, and what it holds is read under the link's
path; each real folder is walked once.

File names need not be UTF-8: the paths here are as the operating system gives them (a byte that
is not UTF-8 is kept as a surrogate escape, so the file still opens), and `shown()` gives the
form that is stored and printed.
"""

import os
import re
import stat
from dataclasses import dataclass, field

LETTER_SUFFIXES = (".pdf", ".txt")
NOT_A_LETTER = "only .pdf and .txt files are letters"


@dataclass(frozen=True)
class Unread:
    path: str  # as shown(): valid UTF-8
    reason: str


@dataclass
class Found:
    letters: list[str] = field(default_factory=list)  # OS paths (surrogate escapes kept), in order, no repeats
    refused: list[Unread] = field(default_factory=list)
    not_read: list[Unread] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # walked, as shown()


def shown(path: str | os.PathLike) -> str:
    r"""The path as stored and printed: valid UTF-8 whatever bytes the name holds.

    A byte that is not UTF-8 shows as `\xNN` (e.g. `r\xe9sum\xe9.txt` for a Latin-1 name);
    `os_path()` turns it back.
    """
    path = os.fspath(path)
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file name produces: show it escaped
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


_ESCAPED_BYTE = re.compile(rb"\\x([89a-f][0-9a-f])")


def os_path(stored: str) -> str:
    r"""The OS path of a stored one: `\xNN` back to its byte, unless the stored path names a file itself."""
    if "\\x" not in stored or os.path.lexists(stored):
        return stored
    return os.fsdecode(_ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), stored.encode("utf-8")))


def is_letter_name(path: str) -> bool:
    return path.lower().endswith(LETTER_SUFFIXES)


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def not_a_file_reason(mode: int) -> str:
    return f"not a regular file but {kind_of(mode)}: only files are read, as reading this one could wait forever"


def find_letters(sources: list[str | os.PathLike]) -> Found:
    """Walk the sources (files or folders), in sorted order, and sort every path under them into Found."""
    found = Found()
    walk = _Walk(found, roots=[os.path.realpath(s) for s in sources if os.path.isdir(s)])
    for source in sources:
        letters_before = len(found.letters)
        walk.walk(os.path.abspath(os.fspath(source)))
        found.letters[letters_before:] = sorted(found.letters[letters_before:])
    return found


@dataclass
class _Walk:
    found: Found
    roots: list[str]  # the real paths of the source folders
    walked: dict[tuple[int, int], str] = field(default_factory=dict)  # (device, inode) of a folder walked -> path
    listed: set[str] = field(default_factory=set)

    def walk(self, source: str) -> None:
        stack = [(source, True)]  # (path, named on the command line)
        while stack:
            path, named = stack.pop()
            if path in self.listed:
                continue
            self.listed.add(path)
            folder_entries = _visit(path, named, self)
            # Reversed onto the stack, so they come off in sorted order.
            stack.extend((os.path.join(path, name), False) for name in reversed(folder_entries))

    def under_a_root(self, real_path: str) -> str | None:
        return next((root for root in self.roots if os.path.commonpath([root, real_path]) == root), None)


def _visit(path: str, named: bool, walk: _Walk) -> list[str]:
    """Sort one path into Found; for a folder to walk, return its entries' names, sorted."""
    found, walked = walk.found, walk.walked
    looks_like_letter = named or is_letter_name(path)
    try:
        is_link = os.path.islink(path)
        info = os.stat(path)
    except OSError as exc:
        if link_target := _readlink(path):
            reason = f"a link to {shown(link_target)}, which cannot be opened ({exc.strerror})"
        else:
            reason = f"cannot open it: {exc.strerror or exc}"
        (found.refused if looks_like_letter else found.not_read).append(Unread(shown(path), reason))
        return []
    if stat.S_ISDIR(info.st_mode):
        if is_link and not named and walk.under_a_root(real := os.path.realpath(path)):
            found.not_read.append(Unread(shown(path), f"a link to the folder {shown(real)}, which is under the "
                                                      "sources: its files are read there"))
            return []
        key = (info.st_dev, info.st_ino)
        if key in walked:
            found.not_read.append(Unread(shown(path), f"the folder {shown(walked[key])} again (through a link "
                                                      "or a link loop): its files are read once, there"))
            return []
        walked[key] = path
        try:
            names = sorted(os.listdir(path))
        except OSError as exc:
            found.refused.append(Unread(shown(path), f"cannot open the folder ({exc.strerror or exc}): "
                                                     "the letters in it, if any, were not read"))
            return []
        found.folders.append(shown(path))
        return names
    if not stat.S_ISREG(info.st_mode):
        (found.refused if looks_like_letter else found.not_read).append(
            Unread(shown(path), not_a_file_reason(info.st_mode)))
    elif looks_like_letter:
        found.letters.append(path)
    else:
        found.not_read.append(Unread(shown(path), NOT_A_LETTER))
    return []


def _readlink(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None

