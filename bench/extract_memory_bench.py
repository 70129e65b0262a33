"""Peak memory of parsing one text file at the size limit, and of refusing one above it.

    .venv/bin/python bench/extract_memory_bench.py [--mb 10]

Each case runs in a fresh process (as a loader worker would hold it) and reports the process's
peak RSS (VmHWM): a letter-like text file of --mb MB (the default limit), and a file of 20 times
that, which the limit refuses unread. Goal (issue 12, fault 6): a worker's memory bounded by the
limit, not growing with the file (a 200 MB file took 3.4 GB before the limit).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "fixtures" / "load" / "letter-template.txt"
MEASURE = """
import sys
from etl.extract import MB, extract
from etl.parse import parse_extracted
extracted = extract(sys.argv[1], int(float(sys.argv[2]) * MB))
record = parse_extracted(extracted)
peak_kb = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(peak_kb) / 1024, record.get("error") or "parsed")
"""


def peak(path: Path, limit_mb: float) -> tuple[float, str]:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), str(limit_mb)], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split(maxsplit=1)
    return float(out[0]), out[1].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10, help="the size limit to measure at (default 10)")
    args = parser.parse_args()
    letter = TEMPLATE.read_text().format(case_number="CM17-0000001", decision_date="01/02/2017")
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "letter.txt"
        baseline.write_text(letter)
        for name, size_mb in (("at the limit", args.mb), ("20x the limit", args.mb * 20)):
            path = Path(tmp) / f"{name}.txt"
            with open(path, "w") as file:  # one letter followed by rationale-like text up to the size
                file.write(letter)
                line = "The records do not show objective functional gains from the treatment requested.\n"
                lines = int((size_mb * 1_000_000 - len(letter)) / len(line))
                for _ in range(lines // 1000):
                    file.write(line * 1000)
            rss, outcome = peak(path, args.mb)
            print(f"{name} ({size_mb:g} MB): peak RSS {rss:,.0f} MB; {outcome[:90]}")
        rss, outcome = peak(baseline, args.mb)
        print(f"one 3 KB letter: peak RSS {rss:,.0f} MB; {outcome}")


if __name__ == "__main__":
    main()
