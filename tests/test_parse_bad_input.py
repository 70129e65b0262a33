"""Bad input through the command line: every bad file gets its JSON line with a reason a person can act
on, the good files in the same run still parse, and the exit status says whether anything was rejected."""

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from etl.parse import parse_file, parse_text
from tests.test_parse_golden import FIXTURES, assert_record, fixture_as_pdf, golden, letter_pdf

PROJECT = Path(__file__).resolve().parents[1]
GOOD = ("final-2016-standard", "final-2017-expedited")
REJECTED_FIELDS = {"source_file", "sha256", "error"}


def fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def cut_after(text: str, words: str) -> str:
    return text[: text.index(words) + len(words)]


def scanned_pdf() -> bytes:
    """Two pages of grey bars where the lines of a letter would be, as a scanner leaves them: no text."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    for _ in range(2):
        for row in range(40):
            pdf.rect(72, 740 - row * 16, 300 + (row * 37) % 150, 7, stroke=0, fill=1)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def run_parser(*args: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl.parse", *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def json_lines(stdout: str) -> list[dict]:
    """stdout must be JSON Lines and nothing else."""
    return [json.loads(line) for line in stdout.splitlines()]


# Each bad file and a test of its reason: the contract's wording where it fixes one.
BAD_FILES = {
    "empty.txt": lambda error: error == "empty file",
    "junk.txt": lambda error: "binary" in error or "not a text" in error,
    "encrypted.pdf": lambda error: error.startswith("unreadable PDF: ") and "password" in error,
    "broken.pdf": lambda error: error.startswith("unreadable PDF: ") and len(error) > len("unreadable PDF: "),
    "scanned.pdf": lambda error: error == "no text layer (scanned PDF?)",
    "not-a-letter.txt": lambda error: error == "not an IMR determination letter",
    "cut-off.txt": lambda error: error.startswith("letter cut off"),
}


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    good_pdf = fixture_as_pdf("final-2017-expedited")
    files = {
        "empty.txt": b"",
        "junk.txt": bytes(range(256)) * 16,
        "encrypted.pdf": fixture_as_pdf("final-2016-standard", encrypt="reviewer-only"),
        "broken.pdf": good_pdf[: len(good_pdf) // 3],
        "scanned.pdf": scanned_pdf(),
        "not-a-letter.txt": (
            b"Quarterly maintenance report\nThe loading dock lights were replaced on 3/4/2016.\n"
            b"Next inspection: 06/01/2016. Contact facilities with questions.\n"
        ),
        "cut-off.txt": cut_after(fixture_text("final-2016-standard"), "in a dermatomal distribution").encode(),
    }
    for name in GOOD:
        files[f"{name}.txt"] = fixture_text(name).encode()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def mixed_run(mixed_folder: Path) -> subprocess.CompletedProcess:
    return run_parser(mixed_folder)


def test_each_file_gets_one_line_in_sorted_path_order(mixed_folder, mixed_run):
    records = json_lines(mixed_run.stdout)
    assert [r["source_file"] for r in records] == [str(p) for p in sorted(mixed_folder.iterdir())]


def test_any_rejection_exits_1(mixed_run):
    assert mixed_run.returncode == 1, mixed_run.stderr


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gives_only_its_name_hash_and_a_reason(mixed_folder, mixed_run, name):
    record = next(r for r in json_lines(mixed_run.stdout) if Path(r["source_file"]).name == name)
    assert set(record) == REJECTED_FIELDS
    assert record["sha256"] == hashlib.sha256((mixed_folder / name).read_bytes()).hexdigest()
    assert record["error"] and BAD_FILES[name](record["error"]), f"{name}: unhelpful reason {record['error']!r}"


@pytest.mark.parametrize("name", GOOD)
def test_good_letters_among_bad_files_still_parse(mixed_run, name):
    record = next(r for r in json_lines(mixed_run.stdout) if Path(r["source_file"]).name == f"{name}.txt")
    assert_record(record, golden(name))


def test_rejections_are_reported_on_stderr(mixed_run):
    for name in BAD_FILES:
        assert name in mixed_run.stderr


def test_all_good_letters_exit_0(tmp_path):
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(fixture_as_pdf("final-2017-expedited"))
    run = run_parser(FIXTURES / f"{GOOD[0]}.txt", pdf)
    assert run.returncode == 0, run.stderr
    assert [r["error"] for r in json_lines(run.stdout)] == [None, None]


def test_a_missing_path_is_a_usage_error(tmp_path):
    run = run_parser(FIXTURES / f"{GOOD[0]}.txt", tmp_path / "no-such-letter.pdf")
    assert run.returncode == 2
    assert run.stdout == ""
    assert "no-such-letter.pdf" in run.stderr


def test_no_path_at_all_is_a_usage_error():
    run = run_parser()
    assert run.returncode == 2 and run.stdout == ""


def test_pdf_with_an_empty_user_password_reads_like_any_other(tmp_path):
    # The state's PDFs are encrypted with permissions only; they open without a password.
    permissions_only = StandardEncryption("", ownerPassword="state-owner", canModify=0, canCopy=0)
    path = tmp_path / "permissions-only.pdf"
    path.write_bytes(fixture_as_pdf("final-2017-expedited", encrypt=permissions_only))
    assert_record(parse_file(path), golden("final-2017-expedited"))


def test_text_with_no_letter_words_but_some_imr_words_is_not_a_letter():
    text = "Independent Medical Review\nMinutes of the staff meeting. Parking rules were discussed.\n"
    assert parse_text(text) == {"error": "not an IMR determination letter"}


def test_a_pdf_holding_a_non_letter_is_not_a_letter(tmp_path):
    path = tmp_path / "memo.pdf"
    path.write_bytes(letter_pdf(["Memo to all staff", "The office is closed on 12/26/2016."]))
    assert parse_file(path)["error"] == "not an IMR determination letter"


@pytest.mark.parametrize(
    ("name", "cut"),
    [
        ("final-2016-standard", lambda t: cut_after(t, "in a dermatomal distribution")),  # inside a middle decision
        ("final-2016-standard", lambda t: cut_after(t, "Omeprazole 20mg #60: Overturned\n")),  # after a heading
        ("final-2016-standard", lambda t: t.rstrip()[: -len("ecessary.")]),  # mid-word in the last rationale
        ("final-2017-expedited", lambda t: t.rstrip()[: -len("ecessary.")]),
        ("final-2017-expedited", lambda t: cut_after(t, "MAXIMUS guideline: Decision based on MTUS Low Back")),
        # cut mid-sentence just after a word the end of a rationale often has
        ("final-2017-expedited", lambda t: cut_after(t, "drug class that is not recommended")),
        ("final-2015-page-citations", lambda t: cut_after(t, "Decision rationale: The MTUS guidelines on page 43")),
    ],
    ids=[
        "middle-rationale",
        "after-heading",
        "last-word-2016",
        "last-word-2017",
        "guideline-line",
        "mid-sentence",
        "2015-rationale",
    ],
)
def test_a_letter_cut_off_inside_its_decisions_is_rejected(name, cut):
    result = parse_text(cut(fixture_text(name)))
    error = result.get("error") or ""
    treatments = [d["treatment"] for d in result.get("decisions", [])]
    assert error.startswith("letter cut off"), f"got error={result.get('error')!r}, decisions {treatments!r}"


def test_several_workers_give_the_same_lines_in_the_same_order(mixed_folder, mixed_run):
    pooled = run_parser("--workers", "2", mixed_folder)
    assert (pooled.returncode, pooled.stdout) == (mixed_run.returncode, mixed_run.stdout)


# ------------------------------------------------------------------ complete letters kept, with warnings


def replace_last_sentence(text: str, sentence: str) -> str:
    body = text.rstrip()
    return body[: body.rindex(". ", 0, len(body) - 2) + 1] + " " + sentence + "\n"


@pytest.mark.parametrize("name", ["final-2016-standard", "final-2017-expedited", "final-2015-page-citations"])
def test_a_rationale_closing_in_other_words_keeps_the_letter(name):
    text = replace_last_sentence(fixture_text(name), "The request is not a medical necessity at this time.")
    result = parse_text(text)
    assert not result.get("error")
    assert result["warnings"] == []
    assert len(result["decisions"]) == len(golden(name)["decisions"])


def test_a_last_rationale_without_a_verdict_is_kept_with_a_warning():
    text = fixture_text("final-2016-standard")
    start = text.rindex("Decision rationale:") + len("Decision rationale:")
    result = parse_text(text[:start] + " The records were reviewed. The worker may return with more records.\n")
    assert not result.get("error")
    assert result["warnings"] == ["the last rationale ends without a conclusion"]


def test_a_middle_decision_without_a_rationale_is_kept_with_a_warning():
    text = fixture_text("final-2016-standard")
    start = text.index("Decision rationale: The examination documents radicular findings")
    end = text.index("MRI of the cervical spine with and without contrast was the original request.")
    result = parse_text(text[:start] + text[end:])
    assert not result.get("error")
    assert len(result["decisions"]) == len(golden("final-2016-standard")["decisions"])
    [warning] = result["warnings"]
    assert warning.startswith("decision ") and "Lumbar epidural steroid injection" in warning


def test_a_letter_without_anything_to_doubt_has_no_warnings():
    assert parse_text(fixture_text("final-2016-standard"))["warnings"] == []


def test_a_verdict_that_lost_its_full_stop_is_kept_with_a_warning():
    verdict = "The request is not medically necessary at this time"
    text = replace_last_sentence(fixture_text("final-2016-standard"), verdict)
    result = parse_text(text)
    assert not result.get("error")
    assert result["warnings"] == ["the last rationale ends without a full stop"]
