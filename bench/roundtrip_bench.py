"""Generated letters read back through extraction and the parser, field by field against their truth.

    .venv/bin/python bench/roundtrip_bench.py [--letters 5000] [--seed 2026] [--pdf-share 0.1] [--show 5]

Prints one row per field (right, of, accuracy) and up to --show misses each; the goal is
every field at least 99.5%. Exit status 1 when a field is below that.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from etl.sample.check import round_trip

GOAL = 0.995


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pdf-share", type=float, default=0.1)
    parser.add_argument("--show", type=int, default=5, help="misses to print per field")
    args = parser.parse_args()
    started = time.perf_counter()
    result = round_trip(args.letters, args.seed, args.pdf_share, progress=True)
    seconds = time.perf_counter() - started
    print(result.table(show=args.show))
    below = [name for name in result.totals if result.accuracy(name) < GOAL]
    print(
        f"{args.letters:,} letters generated and parsed in {seconds:.1f}s; "
        + (f"below {GOAL:.1%}: {', '.join(below)}" if below else f"every field at least {GOAL:.1%}")
    )
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
