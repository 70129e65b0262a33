"""Generate realistic IMR letters (text and PDF) with the record each must parse to.

    python -m etl.sample --letters N --seed S --out DIR [--pdf-share F] [--report] [--jobs J]

Writes DIR/<year>/<case number>.txt|.pdf and DIR/truth.jsonl, one record per file in the
contract's form (../shared/spec/letter-record.md), plus a few bad files (empty, scanned,
not an IMR letter, cut off) whose truth is the error they must give. Every letter depends
only on (seed, index): the same seed gives the same bytes, and memory stays flat at any N.
`--report` prints the corpus's distributions beside the published figures.
"""

import argparse
import hashlib
import json
import multiprocessing
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.sample.layouts import Line, as_text, print_letter
from etl.sample.letter import PlannedLetter, plan_letter
from etl.sample.pdf import letter_pdf, scanned_pdf
from etl.sample.report import CorpusReport
from etl.vocab import (
    DECISION_FIELDS,
    ERROR_EMPTY,
    ERROR_NO_TEXT,
    ERROR_NOT_IMR,
    ERROR_TRUNCATED,
    LETTER_FIELDS,
    OPTIONAL_DECISION_FIELDS,
)

# Where in every 500 letters a bad file stands instead, so even 200 letters hold one of each.
BAD_FILES = {17: ERROR_EMPTY, 83: ERROR_NO_TEXT, 151: ERROR_NOT_IMR, 199: ERROR_TRUNCATED}
BAD_FILE_PERIOD = 500


@dataclass(frozen=True)
class GeneratedLetter:
    file_name: str  # relative to the output folder
    record: dict  # the truth: the contract's record, or source_file/sha256/error for a bad file
    text: str | None  # the letter's text as extraction gives it (None for empty and scanned files)
    pdf_bytes: bytes | None  # set when the letter is a PDF
    data: bytes  # the file's bytes


def _file_rng(seed: int, index: int) -> random.Random:
    # A stream apart from the letter's own, so --pdf-share never changes a letter's content.
    return random.Random((seed << 41) ^ (index * 0x85EBCA77) ^ 0xC2B2AE3D)


def _contract_record(source_file: str, sha256: str, planned: dict) -> dict:
    record = {"source_file": source_file, "sha256": sha256, "error": None}
    record.update({name: planned[name] for name in LETTER_FIELDS if name not in record})
    record["decisions"] = [
        {name: d[name] for name in (*DECISION_FIELDS, *OPTIONAL_DECISION_FIELDS) if name in d}
        for d in planned["decisions"]
    ]
    record.update({k: v for k, v in planned.items() if k not in record})  # extras, e.g. requesting_physician_id
    return record


def _bad_record(source_file: str, data: bytes, error: str) -> dict:
    return {"source_file": source_file, "sha256": hashlib.sha256(data).hexdigest(), "error": error}


def _not_an_imr_letter(rng: random.Random, plan: PlannedLetter) -> str:
    """Papers that land in a folder of letters: a progress report or a request for authorization."""
    injury = f"{plan.injury:%m/%d/%Y}"
    if rng.random() < 0.5:
        body = [
            "PRIMARY TREATING PHYSICIAN'S PROGRESS REPORT (PR-2)",
            f"Date of Exam: {plan.ur_denied:%m/%d/%Y}    Date of Injury: {injury}",
            "Subjective complaints: The patient reports ongoing pain, worse with prolonged sitting. ",
            "Objective findings: Tenderness to palpation, decreased range of motion. ",
            "Diagnoses: Lumbar strain; cervical strain. ",
            "Treatment plan: Continue home exercise program. Follow up in four weeks. ",
            "Work status: Modified duty with no lifting over 20 pounds.",
        ]
    else:
        body = [
            "REQUEST FOR AUTHORIZATION",
            "DWC Form RFA",
            f"Employee date of injury: {injury}",
            "Requested treatment: " + plan.items[0].decision["treatment"],
            "Diagnosis: chronic pain. Frequency/duration as noted. ",
            "Requesting physician signature on file.",
        ]
    return "\n".join(body) + "\n"


def _truncated_letter(plan: PlannedLetter, rng: random.Random, for_pdf: bool) -> list[Line]:
    """A letter that stops right after its decisions heading, as an interrupted download does."""
    plan.layout = "final-determination"
    lines = print_letter(plan, rng, for_pdf)
    cut = next(i for i, line in enumerate(lines) if line[0][1].startswith("IMR ISSUES, DECISIONS AND RATIONALES"))
    return lines[: cut + 1 + rng.randint(0, 1)]


def make_letter(seed: int, index: int, pdf_share: float = 0.0) -> GeneratedLetter:
    """Letter number `index` of the corpus drawn with `seed`."""
    plan = plan_letter(seed, index)
    file_rng = _file_rng(seed, index)
    as_pdf = file_rng.random() < pdf_share
    render_rng = random.Random(f"render:{seed}:{index}")  # wrapping and damage, apart from the content
    folder = plan.decided.year
    stem = plan.record["case_number"] or f"letter-{index:07d}"  # a letter without its header has no number
    bad = BAD_FILES.get(index % BAD_FILE_PERIOD)
    if bad == ERROR_NO_TEXT:
        name = f"{folder}/{stem}.pdf"
        data = scanned_pdf(render_rng, render_rng.randint(1, 3), stem)
        return GeneratedLetter(name, _bad_record(name, data, bad), None, data, data)
    if bad == ERROR_EMPTY:
        name = f"{folder}/{stem}.{'pdf' if (index // BAD_FILE_PERIOD) % 2 else 'txt'}"
        return GeneratedLetter(name, _bad_record(name, b"", bad), None, None, b"")
    suffix = "pdf" if as_pdf else "txt"
    if bad == ERROR_NOT_IMR:
        name = f"{folder}/document-{index:07d}.{suffix}"
        text = _not_an_imr_letter(render_rng, plan)
        lines = [((0, line),) for line in text.splitlines()]
    elif bad == ERROR_TRUNCATED:
        name = f"{folder}/{stem}.{suffix}"
        lines = _truncated_letter(plan, render_rng, as_pdf)
        text = as_text(lines)
    else:
        name = f"{folder}/{stem}.{suffix}"
        lines = print_letter(plan, render_rng, as_pdf)
        text = as_text(lines, plan.blank_lines and not as_pdf)
    pdf_bytes = letter_pdf(lines, stem) if as_pdf else None
    data = pdf_bytes if pdf_bytes is not None else text.encode("utf-8")
    if bad:
        return GeneratedLetter(name, _bad_record(name, data, bad), text, pdf_bytes, data)
    record = _contract_record(name, hashlib.sha256(data).hexdigest(), plan.record)
    return GeneratedLetter(name, record, text, pdf_bytes, data)


def _make_chunk(args: tuple[int, int, int, float]) -> list[GeneratedLetter]:
    seed, start, stop, pdf_share = args
    return [make_letter(seed, i, pdf_share) for i in range(start, stop)]


def iter_letters(n: int, seed: int, pdf_share: float = 0.0, jobs: int = 1) -> Iterator[GeneratedLetter]:
    """Letters 0..n-1 in order. With jobs > 1, worker processes make them in chunks."""
    if jobs <= 1:
        for index in range(n):
            yield make_letter(seed, index, pdf_share)
        return
    chunk = 200
    tasks = ((seed, start, min(n, start + chunk), pdf_share) for start in range(0, n, chunk))
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for letters in pool.imap(_make_chunk, tasks):
            yield from letters


class Progress:
    """Done, rate and time left on stderr, at most every two seconds."""

    def __init__(self, total: int, what: str):
        self.total, self.what = total, what
        self.started = self.last = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < 2 and done < self.total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        left = (self.total - done) / rate if rate else 0
        print(f"{self.what}: {done:,}/{self.total:,} ({rate:,.0f}/s, {left:,.0f}s left)", file=sys.stderr)


def write_corpus(
    n: int, seed: int, out: Path | None, pdf_share: float, report: CorpusReport | None, jobs: int = 1
) -> None:
    progress = Progress(n, "letters generated")
    truth = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        truth = (out / "truth.jsonl").open("w", encoding="utf-8")
    made_folders: set[Path] = set()
    try:
        for done, letter in enumerate(iter_letters(n, seed, pdf_share, jobs), 1):
            if out is not None and truth is not None:
                path = out / letter.file_name
                if path.parent not in made_folders:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made_folders.add(path.parent)
                path.write_bytes(letter.data)
                truth.write(json.dumps(letter.record, ensure_ascii=False) + "\n")
            if report is not None:
                report.add(letter.record, letter.pdf_bytes is not None)
            progress.update(done)
    finally:
        if truth is not None:
            truth.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, required=True, help="how many files to write")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, help="output folder (may be left out with --report)")
    parser.add_argument("--pdf-share", type=float, default=0.0, help="share of letters written as PDF, 0 to 1")
    parser.add_argument("--report", action="store_true", help="print distributions beside the published figures")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (output is the same)")
    args = parser.parse_args(argv)
    if args.letters < 0 or not 0 <= args.pdf_share <= 1 or args.jobs < 1:
        parser.error("--letters must be 0 or more, --pdf-share between 0 and 1, --jobs 1 or more")
    if args.out is None and not args.report:
        parser.error("give --out DIR to write letters, or --report to see the distributions")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        parser.error(f"{args.out} exists and is not a folder")
    report = CorpusReport() if args.report else None
    started = time.monotonic()
    try:
        write_corpus(args.letters, args.seed, args.out, args.pdf_share, report, args.jobs)
    except OSError as exc:
        print(f"cannot write the letters to {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    where = f" in {args.out}" if args.out else ""
    print(f"generated {args.letters:,} letters{where} in {seconds:.1f}s", file=sys.stderr)
    if report is not None:
        print(report.render())
    return 0

