"""The command line: python -m etl.parse PATH... prints one JSON record per letter."""

import argparse
import functools
import itertools
import json
import sys
import time
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path

from etl.extract import DEFAULT_MAX_FILE_MB, MB, extract
from etl.parse import parse_extracted
from etl.sources import find_letters, shown

EXIT_PARSED, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_CODES = f"""exit status:
  {EXIT_PARSED}    every file was parsed (other paths under the folders are listed on stderr, not read)
  {EXIT_REJECTED}    some files were rejected: each has its JSON line with the reason
  {EXIT_USAGE}    the command line is wrong, or names a path that does not exist
  {EXIT_FAILED}    the run failed part way (e.g. the output could not be written); the output is incomplete
  {EXIT_INTERRUPTED}  interrupted by Ctrl-C"""


def parse_path(path: str, max_bytes: int) -> dict:
    return parse_extracted(extract(path, max_bytes))


def _parse_all(paths: list[str], workers: int, max_bytes: int) -> Iterator[dict]:
    parse_one = functools.partial(parse_path, max_bytes=max_bytes)
    if workers <= 1:
        yield from map(parse_one, paths)
        return
    with Pool(workers) as pool:  # pdfium is not thread-safe: processes, not threads
        yield from pool.imap(parse_one, paths, chunksize=8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl.parse", description="Parse IMR determination letters (.pdf, .txt) into JSON Lines.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a letter file or a folder of letters")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB,
                        help=f"files above this size are rejected (default {DEFAULT_MAX_FILE_MB})")
    args = parser.parse_args(argv)

    missing = [shown(p) for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    found = find_letters(args.paths)
    for unread in found.not_read:
        print(f"not read {unread.path}: {unread.reason}", file=sys.stderr)
    # Folders that cannot be opened, pipes and devices: rejected like a bad letter, with the reason.
    records = ({"source_file": unread.path, "sha256": "", "error": unread.reason} for unread in found.refused)
    started, seen, rejected = time.monotonic(), 0, 0
    try:
        for record in itertools.chain(records, _parse_all(found.letters, args.workers, int(args.max_file_mb * MB))):
            seen += 1
            if record.get("error"):
                rejected += 1
                print(f"rejected {record['source_file']}: {record['error']}", file=sys.stderr)
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except KeyboardInterrupt:
        print(f"\nInterrupted after {seen} files; the output is incomplete.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        print(f"Cannot write the output after {seen} files ({exc.strerror or exc}); it is incomplete.",
              file=sys.stderr)
        return EXIT_FAILED
    elapsed = time.monotonic() - started
    print(f"parsed {seen} files in {elapsed:.1f}s: {seen - rejected} letters, {rejected} rejected", file=sys.stderr)
    return EXIT_REJECTED if rejected else EXIT_PARSED

if __name__ == "__main__":
    sys.exit(main())
