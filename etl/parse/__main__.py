"""The command line: python -m etl.parse PATH... prints one JSON record per letter."""

import argparse
import json
import sys
import time
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path

from etl.extract import find_letters
from etl.parse import parse_file


def _parse_all(paths: list[Path], workers: int) -> Iterator[dict]:
    if workers <= 1:
        yield from map(parse_file, paths)
        return
    with Pool(workers) as pool:  # pdfium is not thread-safe: processes, not threads
        yield from pool.imap(parse_file, paths, chunksize=8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl.parse", description="Parse IMR determination letters (.pdf, .txt) into JSON Lines."
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a letter file or a folder of letters")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args(argv)

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    paths = find_letters(args.paths)
    started, rejected = time.monotonic(), 0
    for record in _parse_all(paths, args.workers):
        if record.get("error"):
            rejected += 1
            print(f"rejected {record['source_file']}: {record['error']}", file=sys.stderr)
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    elapsed = time.monotonic() - started
    print(
        f"parsed {len(paths)} files in {elapsed:.1f}s: {len(paths) - rejected} letters, {rejected} rejected",
        file=sys.stderr,
    )
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
