"""Generation speed and peak memory, text only and with PDFs, extrapolated to 100,000 letters.

    .venv/bin/python bench/generate_bench.py                 # 10,000 text letters, 2,000 PDF letters
    .venv/bin/python bench/generate_bench.py --letters 100000 --pdf-letters 100000   # the full run

Each run is a fresh process writing a real corpus to a temporary folder, so its peak RSS
is its own. Memory stays flat as N grows (letters stream to disk), which the two sizes
of each run show; time grows linearly, so the 100,000 figure is N-scaled.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGET = 100_000

CHILD = """
import json, resource, sys, time
from pathlib import Path
from etl.sample import write_corpus
letters, share, out, jobs = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
started = time.perf_counter()
write_corpus(letters, 2026, out, share, None, jobs)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(letters: int, pdf_share: float, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(letters), str(pdf_share), folder, str(jobs)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"generation failed: {done.stderr.strip().splitlines()[-1]}")
        size_mb = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 2**20
    result = json.loads(done.stdout)
    result["disk_mb"] = size_mb
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=10_000, help="text-only run size")
    parser.add_argument("--pdf-letters", type=int, default=2_000, help="all-PDF run size")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (peak RSS is the parent's)")
    args = parser.parse_args()
    print(
        f"{'run':22s} {'letters':>8s} {'seconds':>8s} {'letters/s':>10s} {'peak RSS':>9s} {'disk':>8s} "
        f"{'100k letters (est.)':>20s}"
    )
    for label, size, share in (
        ("text only", args.letters // 2, 0.0),
        ("text only", args.letters, 0.0),
        ("all PDF", args.pdf_letters // 2, 1.0),
        ("all PDF", args.pdf_letters, 1.0),
    ):
        print(f"running {label} x {size:,} ...", file=sys.stderr)
        result = run(size, share, args.jobs)
        rate = size / result["seconds"]
        print(
            f"{label:22s} {size:8,d} {result['seconds']:8.1f} {rate:10,.0f} {result['peak_mb']:7.0f}MB "
            f"{result['disk_mb']:6.0f}MB {TARGET / rate / 60:10.1f} min, "
            f"{result['disk_mb'] * TARGET / size / 1024:.1f} GB"
        )


if __name__ == "__main__":
    main()
