"""Human labels for the decision reason codes (reason_labels.csv), which the dashboard shows instead of codes.

A user may reword a label or description, or change which reasons better records would answer
(`records_gap`: yes or no). Every code of etl/vocab.py needs exactly one row; a bad row raises
ValueError naming the file, the line and the problem, like the other reference files.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from etl.reference import DIR, _check, _rows
from etl.vocab import REASON_CODES

COLUMNS = ("code", "label", "description", "records_gap")
YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class ReasonLabel:
    code: str
    label: str
    description: str
    records_gap: bool  # the reason is something the records did not show, which better notes could fix


def load_reason_labels(path: Path) -> dict[str, ReasonLabel]:
    out: dict[str, ReasonLabel] = {}
    labels: set[str] = set()
    for line, r in _rows(path, COLUMNS):
        code, label = r["code"], r["label"]
        _check(code in REASON_CODES, path, line, f"unknown reason code {code!r}, expected one of {REASON_CODES}")
        _check(code not in out, path, line, f"duplicate code {code!r}")
        # Two codes under one label would merge in every chart.
        _check(bool(label) and label not in labels, path, line, f"label {label!r} is empty or used twice")
        _check(r["records_gap"] in YES_NO, path, line, f"records_gap {r['records_gap']!r} must be yes or no")
        out[code] = ReasonLabel(code, label, r["description"], YES_NO[r["records_gap"]])
        labels.add(label)
    missing = [code for code in REASON_CODES if code not in out]
    if missing:
        raise ValueError(f"{path}: no row for the reason codes {missing}")
    return out


@functools.cache
def reason_labels() -> dict[str, ReasonLabel]:
    return load_reason_labels(DIR / "reason_labels.csv")
