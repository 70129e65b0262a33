"""The decision reasons scored on both real development sets together, by the shared scorer.

    .venv/bin/python tools/score_reasons_both.py [--shared ../shared] [--show N]

Links the PDFs of ../shared/letters/real-dev and real-dev-2 into one temporary folder (outside
the project, nothing copied), joins their reasons.jsonl, and runs ../shared/tools/score_reasons.py
on it: the per-code table (precision, recall, F1; support = tp + fn) and the micro F1 of the 100
letters. Exit status: the scorer's; 2 when a set is missing.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SETS = ("real-dev", "real-dev-2")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=PROJECT.parent / "shared")
    parser.add_argument("--show", type=int, default=0, help="misses to print per code")
    args = parser.parse_args()
    folders = [args.shared / "letters" / name for name in SETS]
    missing = [str(f) for f in folders if not (f / "reasons.jsonl").is_file()]
    if missing:
        print(f"No reasons.jsonl in {', '.join(missing)}: is ../shared there?", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="reasons-both-") as tmp:
        letters = Path(tmp) / "letters"
        letters.mkdir()
        labels = Path(tmp) / "reasons.jsonl"
        with labels.open("w") as out:
            for folder in folders:
                for pdf in sorted(folder.glob("*.pdf")):
                    (letters / pdf.name).symlink_to(pdf.resolve())
                out.write((folder / "reasons.jsonl").read_text().rstrip("\n") + "\n")
        scorer = args.shared / "tools" / "score_reasons.py"
        python = PROJECT / ".venv" / "bin" / "python"
        command = [str(python), str(scorer), "--python", str(python), "--project", str(PROJECT),
                   "--letters", str(letters), "--labels", str(labels), "--show", str(args.show)]
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
