"""The loader's fuzz target, run longer than CI runs it: generated trees of files fed to etl.load.

    .venv/bin/python bench/fuzz_load_bench.py --trees 200

Each tree (names with bytes that are not UTF-8, UTF-8 and UTF-16 letters, empty, binary, oversized
and damaged files, links up, out, to nothing and to themselves, pipes, unreadable folders) is loaded,
half of them twice; every path must be accounted for and nothing may raise (the checks of
tests/test_fuzz_load.py). Prints the trees and paths tried and the failures (goal: 0).
"""

import argparse
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_fuzz_load import load_and_check, trees


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", type=int, default=200, help="trees to generate (default 200)")
    args = parser.parse_args()
    tried = {"trees": 0, "loads": 0, "paths": 0}
    failures: list[str] = []
    started = time.monotonic()

    @settings(max_examples=args.trees, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(tree=trees(), reload=st.booleans())
    def fuzz(tree, reload):
        tried["trees"] += 1
        tried["loads"] += 1 + reload
        try:
            tried["paths"] += load_and_check(tree, reload)
        except Exception:  # every failure is counted and shown, and the run goes on
            failures.append(f"{tree!r}\n{traceback.format_exc()}")

    fuzz()
    for failure in failures[:5]:
        print(failure, file=sys.stderr)
    print(f"{tried['trees']} trees, {tried['loads']} loads, {tried['paths']} paths checked "
          f"in {time.monotonic() - started:.0f} s; failures: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
