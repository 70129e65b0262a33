"""The generated corpus beside the published figures (../shared/spec/public-figures.md).

Counts are kept as the records stream past, so the report costs no memory at any N.
"""

from collections import Counter, defaultdict
from datetime import date

from etl.sample.catalogue import PUBLISHED
from etl.sample.letter import PHYSICIANS, imr_group
from etl.sample.prose import UPHELD_REASON_SHARES

# Published shapes other than the yearly table: (what, published value as a share).
SHAPES = {
    "letters with 1 item": 0.59,
    "letters with 2 items": 0.17,
    "letters with 3 items": 0.08,
    "IMR line: MTUS only": 0.66,
    "IMR line: MTUS + non-MTUS": 0.12,
    "IMR line: non-MTUS only": 0.15,
    "IMR line: nothing cited": 0.07,
    "IMR lines naming ODG": 0.26,
    "CA line: nothing cited": 0.18,
    "letters where UR authorized part": 0.20,
    "male patients": 0.60,
    "letters with a CA licence": 0.67,
    "services by top 1% of physicians": 0.42,
    "services by top 10% of physicians": 0.85,
    "overturned: Evaluation & Management": 0.26,
    "overturned: Psych Services": 0.20,
    "overturned: Programs": 0.30,
    "overturned: Pharmaceuticals": 0.08,
}
SHARE_OF_DRUGS_2024 = {"Opioids": 0.24, "Topical Analgesics": 0.17, "Muscle Relaxant": 0.16}


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:6.1%}"


class CorpusReport:
    def __init__(self) -> None:
        self.files = 0
        self.pdfs = 0
        self.errors: Counter[str] = Counter()
        self.letters_by_year: Counter[int] = Counter()
        self.decisions_by_year: Counter[int] = Counter()
        self.overturned_by_year: Counter[int] = Counter()
        self.drugs_by_year: Counter[int] = Counter()
        self.opioids_by_year: Counter[int] = Counter()
        self.layouts: Counter[tuple[str, int]] = Counter()
        self.items: Counter[int] = Counter()
        self.by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.by_class: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.by_imr_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.by_specialty: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.odg_lines = self.ca_nothing = self.modified_letters = self.male = self.ca_licence = 0
        self.drugs_2024: Counter[str] = Counter()
        self.physicians: Counter[int] = Counter()
        self.days_by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        self.upheld = 0
        self.upheld_reasons: Counter[str] = Counter()

    def add(self, record: dict, is_pdf: bool) -> None:
        self.files += 1
        self.pdfs += is_pdf
        if record.get("error"):
            self.errors[record["error"]] += 1
            return
        # A letter without its header (like the seed letter) has no decision date: it counts
        # everywhere but in the yearly figures, as it would in the dashboard.
        year = int(record["decision_date"][:4]) if record["decision_date"] else 0
        decisions = record["decisions"]
        self.letters_by_year[year] += 1
        self.layouts[(record["layout"], year)] += 1
        self.items[len(decisions)] += 1
        self.male += record["patient_sex"] == "male"
        self.ca_licence += "CA" in record["reviewer_license_states"]
        self.modified_letters += any(d["ur_action"] == "modified" for d in decisions)
        specialty = record["reviewer_specialties"][0]
        if record["date_assigned"] and record["decision_date"]:
            days = (date.fromisoformat(record["decision_date"]) - date.fromisoformat(record["date_assigned"])).days
            self.days_by_year[year][0] += days
            self.days_by_year[year][1] += 1
        for d in decisions:
            over = d["outcome"] == "overturned"
            self.decisions_by_year[year] += 1
            self.overturned_by_year[year] += over
            self.physicians[record.get("requesting_physician_id", -1)] += 1
            for table, key in (
                (self.by_category, d["service_category"]),
                (self.by_specialty, specialty),
                (self.by_imr_group, imr_group(d["imr_citations"])),
            ):
                table[key][0] += 1
                table[key][1] += over
            if d["service_category"] == "Pharmaceuticals":
                self.drugs_by_year[year] += 1
                self.opioids_by_year[year] += d["service_subcategory"] == "Opioids"
                self.by_class[d["service_subcategory"]][0] += 1
                self.by_class[d["service_subcategory"]][1] += over
                if year == 2024:
                    self.drugs_2024[d["service_subcategory"]] += 1
            if not over:
                self.upheld += 1
                self.upheld_reasons.update({r["code"] for r in d.get("reasons") or []})
            self.odg_lines += any(c["source"] == "ODG" for c in d["imr_citations"])
            self.ca_nothing += not d["ca_citations"]

    def _shapes(self) -> dict[str, float | None]:
        letters = sum(self.items.values())
        decisions = sum(self.decisions_by_year.values())
        ranked = sorted(self.physicians.values(), reverse=True)
        # Shares of the whole population of requesting physicians (a small corpus never meets
        # most of the quiet ones, so ranking only those it met would understate concentration).
        top1, top10 = PHYSICIANS // 100, PHYSICIANS // 10

        def overturn(category: str) -> float | None:
            total, over = self.by_category.get(category, (0, 0))
            return _share(over, total)

        return {
            "letters with 1 item": _share(self.items[1], letters),
            "letters with 2 items": _share(self.items[2], letters),
            "letters with 3 items": _share(self.items[3], letters),
            **{
                f"IMR line: {g}": _share(self.by_imr_group[g][0], decisions)
                for g in ("MTUS only", "MTUS + non-MTUS", "non-MTUS only", "nothing cited")
            },
            "IMR lines naming ODG": _share(self.odg_lines, decisions),
            "CA line: nothing cited": _share(self.ca_nothing, decisions),
            "letters where UR authorized part": _share(self.modified_letters, letters),
            "male patients": _share(self.male, letters),
            "letters with a CA licence": _share(self.ca_licence, letters),
            "services by top 1% of physicians": _share(sum(ranked[:top1]), decisions),
            "services by top 10% of physicians": _share(sum(ranked[:top10]), decisions),
            "overturned: Evaluation & Management": overturn("Evaluation & Management"),
            "overturned: Psych Services": overturn("Psych Services"),
            "overturned: Programs": overturn("Programs"),
            "overturned: Pharmaceuticals": overturn("Pharmaceuticals"),
        }

    def figures(self) -> dict[str, tuple[float | None, float | None]]:
        """Every compared figure: name -> (published, generated); the tests check these."""
        out: dict[str, tuple[float | None, float | None]] = {}
        published_total = sum(v[0] for v in PUBLISHED.values() if v[0])
        generated_total = sum(self.letters_by_year[y] for y, v in PUBLISHED.items() if v[0])
        for year, (letters, overturn, pharma, opioids) in PUBLISHED.items():
            out[f"{year} share of letters"] = (
                _share(letters or 0, published_total),
                _share(self.letters_by_year[year], generated_total),
            )
            out[f"{year} overturned"] = (overturn, _share(self.overturned_by_year[year], self.decisions_by_year[year]))
            out[f"{year} pharmaceutical share"] = (
                pharma,
                _share(self.drugs_by_year[year], self.decisions_by_year[year]),
            )
            if opioids is not None:
                out[f"{year} opioid share of drugs"] = (
                    opioids,
                    _share(self.opioids_by_year[year], self.drugs_by_year[year]),
                )
        generated = self._shapes()
        for name, value in SHAPES.items():
            out[name] = (value, generated[name])
        drugs_2024 = sum(self.drugs_2024.values())
        for drug_class, value in SHARE_OF_DRUGS_2024.items():
            out[f"2024 drugs: {drug_class}"] = (value, _share(self.drugs_2024[drug_class], drugs_2024))
        return out

    def reason_figures(self) -> dict[str, tuple[float, float | None]]:
        """Reason code -> (share of upheld decisions giving it in issue 13's reading, generated share)."""
        return {code: (share, _share(self.upheld_reasons[code], self.upheld))
                for code, share in UPHELD_REASON_SHARES.items()}

    def render(self) -> str:
        lines = [
            f"Generated corpus: {self.files:,} files ({self.pdfs:,} PDF), "
            f"{sum(self.items.values()):,} letters, {sum(self.decisions_by_year.values()):,} decisions, "
            f"{sum(self.errors.values()):,} bad files"
        ]
        for error, count in sorted(self.errors.items()):
            lines.append(f"  bad: {count:,} x {error}")
        lines.append("")
        lines.append(f"{'figure':44s} {'published':>9s} {'generated':>9s} {'diff':>7s}")
        for name, (published, generated) in self.figures().items():
            diff = "" if published is None or generated is None else f"{(generated - published) * 100:+6.1f}"
            lines.append(f"{name:44s} {_pct(published):>9s} {_pct(generated):>9s} {diff:>7s}")
        lines.append("")
        lines.append("")
        lines.append(f"{'upheld decisions giving the reason':44s} {'2016-17':>9s} {'generated':>9s} {'diff':>7s}")
        for code, (published, generated) in self.reason_figures().items():
            diff = "" if generated is None else f"{(generated - published) * 100:+6.1f}"
            lines.append(f"  {code:42s} {_pct(published):>9s} {_pct(generated):>9s} {diff:>7s}")
        lines.append("")
        lines.append("Overturn rate by drug class (published: antidepressants ~30% in 2016, drugs ~8%)")
        for drug_class, (total, over) in sorted(self.by_class.items(), key=lambda kv: -kv[1][0])[:12]:
            lines.append(f"  {drug_class:30s} {total:8,d} decisions {_pct(_share(over, total))}")
        lines.append("Overturn rate by IMR guideline group")
        for group, (total, over) in sorted(self.by_imr_group.items()):
            lines.append(f"  {group:30s} {total:8,d} decisions {_pct(_share(over, total))}")
        lines.append("Overturn rate by primary reviewer specialty (top 10)")
        for specialty, (total, over) in sorted(self.by_specialty.items(), key=lambda kv: -kv[1][0])[:10]:
            lines.append(f"  {specialty:36s} {total:8,d} decisions {_pct(_share(over, total))}")
        lines.append("Days from assignment to decision (published: weeks in 2014-2016, 7-14 days since 2017)")
        lines.append("  " + ", ".join(f"{y}: {t / n:.0f}" for y, (t, n) in sorted(self.days_by_year.items()) if n))
        lines.append("Layouts by year")
        for layout in sorted({k[0] for k in self.layouts}):
            years = sorted(y for (name, y) in self.layouts if name == layout and y)
            count = sum(v for (name, _), v in self.layouts.items() if name == layout)
            lines.append(f"  {layout:30s} {count:8,d} letters, {years[0]}-{years[-1]}")
        return "\n".join(lines)
