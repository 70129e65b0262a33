"""Letters: search what reviewers wrote, look up a case number, page through the filtered decisions,
and read one letter in full. The open letter is in the URL (?case=CM16-0242302), so a link opens it.

Text from the letters is data: it reaches the screen through st.text, table cells, or st.html after
html.escape, the only tags being the page's own (<mark> around search matches and
each reason's evidence, headings, lists).
"""

from functools import partial
from html import escape
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, letters_search, marks, ui
from etl import search
from etl.reference.reason_labels import reason_labels

PAGE = "letters"
PAGE_SIZE = 50  # decisions per page of the list
SEARCH_HELP = (
    "Every word must appear, in any field and order. "
    '`"functional improvement"` finds the phrase; `improv*` finds words starting so; '
    "`lyrica OR pregabalin` finds either; `NOT` or a minus leaves out (`-norco`); brackets group. "
    "`treatment:`, `rationale:`, `guideline:` or `text:` before a word looks only there. "
    "Results are ranked by relevance: a match in a treatment counts three times a match elsewhere."
)
OUTCOME_WORDS = {"upheld": "Upheld", "overturned": "Overturned"}


def render() -> None:
    filters = ui.page_header("Letters", "Search what the reviewers wrote, or look up a case, and read the letter.")
    left, right = st.columns([3, 1])
    left.text_input("Search the letters", key="q", bind="query-params", on_change=_first_page, help=SEARCH_HELP,
                    placeholder='e.g. lyrica "functional improvement" NOT modified')
    right.text_input("Case number", key="case", bind="query-params", placeholder="e.g. CM16-0242302",
                     help="Any letter in the database, whatever the filters; spaces and case do not matter.")
    text = (st.session_state.get("q") or "").strip()
    _open_letter_section(_terms(text))
    if text:
        _search_results(text, filters)
    else:
        _decision_list(filters)


# ---------------------------------------------------------------- the open letter

def _open_letter_section(terms: tuple) -> None:
    """Show the letter named by the case number (typed, or in the URL) or by the row clicked."""
    typed = (st.session_state.get("case") or "").strip()
    letter_id = st.session_state.get("open_letter")
    if typed:
        case_number = search.normalise_case_number(typed)
        if case_number is None:  # not echoed: it may come from a link, and warnings are Markdown
            st.warning("That is not a case number: they look like CM16-0242302 (letters, two digits of the year, "
                       "a dash, then digits).")
            return
        found = ui.query("letter_by_case", case_number=case_number)
        if found.is_empty():
            st.warning(f"No letter with case number {case_number} is in the database. Check the number, "
                       "or search for words from the letter instead.")
            return
        letter_id = found["letter_id"][0]
    if letter_id is None:
        return
    with st.container(border=True, key="letter-view"):
        _show_letter(letter_id, terms)
        st.button("Close the letter", on_click=_close_letter, key="close-letter")


def _show_letter(letter_id: int, terms: tuple) -> None:
    letter = ui.query("letter_detail", letter_id=letter_id)
    if letter.is_empty():
        st.warning("That letter is no longer in the database; search for it again.")
        return
    fields = letter.row(0, named=True)
    decisions = ui.query("letter_decisions", letter_id=letter_id)
    reasons = ui.query("letter_reasons", letter_id=letter_id)
    st.html(_letter_summary_html(fields, decisions))
    if fields["case_number"]:
        st.caption("This page's address opens this letter: copy it to share the letter.")
    else:
        st.caption("This letter shows no case number, so no link can open it; find it again by searching.")
    for item in decisions.iter_rows(named=True):
        with st.container(border=True):
            st.html(_decision_html(item, terms, reasons.filter(pl.col("item_no") == item["item_no"])))
    with st.expander("Full text of the letter", expanded=False):
        if terms:
            st.html(_paragraph(search.highlight_html(fields["full_text"], terms)))
        else:
            st.text(fields["full_text"])


def _letter_summary_html(fields: dict, decisions: pl.DataFrame) -> str:
    outcomes = decisions["outcome"].value_counts(sort=True).rows() if decisions.height else []
    counted = ", ".join(f"{n} {outcome}" for outcome, n in outcomes)
    title = f"Case {fields['case_number']}" if fields["case_number"] else "Letter without a case number"
    dates = [
        ("Application for IMR received", fields["application_received"]),
        ("Assigned to the reviewer", fields["date_assigned"]),
        ("Decided", fields["decision_date"]),
        ("Utilization review denial", fields["ur_denial_date"]),
        ("Date of injury", fields["date_of_injury"]),
    ]
    days = (fields["decision_date"] - fields["date_assigned"]).days \
        if fields["decision_date"] and fields["date_assigned"] else None
    specialties = ", ".join(fields["reviewer_specialties"]) or "specialty not stated"
    states = ", ".join(fields["reviewer_license_states"]) or "licence not stated"
    age, sex = fields["patient_age"], fields["patient_sex"]
    patient = (f"{age}-year-old {sex}" if age is not None and sex else
               f"{age} years old, sex not stated" if age is not None else f"{sex or 'sex not stated'}, age not stated")
    rows = [
        ("Review", f"{(fields['priority'] or 'priority not stated').capitalize()} review; "
                   f"{decisions.height} decision{'s' if decisions.height != 1 else ''}" + (f": {counted}" if counted
                                                                                           else "")),
        *[(label, str(value) if value else "not stated") for label, value in dates],
        ("Days from assignment to decision", str(days) if days is not None else "not known"),
        ("Reviewer", f"{specialties}; licensed in {states}"),
        ("Patient", patient),
    ]
    return (f"<h3>{escape(title)}</h3><table>"
            + "".join(f"<tr><th style='text-align:left;padding-right:1em'>{escape(label)}</th>"
                      f"<td>{escape(value)}</td></tr>" for label, value in rows)
            + "</table>")


def _decision_html(item: dict, terms: tuple, reasons: pl.DataFrame) -> str:
    outcome = OUTCOME_WORDS.get(item["outcome"], item["outcome"])
    category = " · ".join(v for v in (item["service_category"], item["service_subcategory"], item["drug_generic"],
                                      item["strength"]) if v)
    if item["ur_action"] == "modified":
        authorized = item["ur_authorized"] or "not stated"
        if item["ur_authorized_quantity"] is not None:
            authorized += f" (quantity {item['ur_authorized_quantity']:,})"
        ur = f"Utilization review modified the request and authorized: {authorized}"
    else:
        ur = "Utilization review denied the request (authorized nothing)"
    lines = [
        f"<h4>{item['item_no']}. {_marked(item['treatment'], terms, 'treatment')}: {escape(outcome)}</h4>",
        f"<p>{escape(category)}" + (f"; requested quantity {item['quantity']:,}" if item["quantity"] else "")
        + "</p>",
        f"<p>{escape(ur)}.</p>",
        _labelled("Claims administrator's guideline", item["ca_guideline_text"], terms, "guideline"),
        _labelled("IMR reviewer's guideline", item["imr_guideline_text"], terms, "guideline"),
        _reasons_line(reasons),
        _rationale(item["rationale"], terms, reasons),
    ]
    return "".join(lines)


def _reasons_line(reasons: pl.DataFrame) -> str:
    if reasons.is_empty():
        return "<p><strong>Why:</strong> <em>no reason read from the rationale</em></p>"
    labels = reason_labels()
    named = ", ".join(dict.fromkeys(labels[code].label if code in labels else code for code in reasons["code"]))
    return f"<p><strong>Why:</strong> {escape(named)} <em>(marked in blue in the rationale)</em></p>"


def _rationale(text: str | None, terms: tuple, reasons: pl.DataFrame) -> str:
    if not text:
        return _labelled("Decision rationale", text, terms, "rationale")
    labels = reason_labels()
    evidence = [(labels[code].label if code in labels else code, words or "")
                for code, words in reasons.select("code", "evidence").iter_rows()]
    spans = marks.evidence_spans(text, evidence)
    if terms:
        spans += [marks.Span(start, end, marks.SEARCH_STYLE)
                  for start, end in search.match_spans(text, terms, "rationale")]
    return ("<p><strong>Decision rationale:</strong> "
            f"<span style='white-space:pre-wrap'>{marks.marked_html(text, spans)}</span></p>")


def _labelled(label: str, text: str | None, terms: tuple, field: str) -> str:
    body = _marked(text, terms, field) if text else "<em>not stated</em>"
    return f"<p><strong>{escape(label)}:</strong> <span style='white-space:pre-wrap'>{body}</span></p>"


def _marked(text: str, terms: tuple, field: str) -> str:
    return search.highlight_html(text, terms, field) if terms else escape(text)


def _paragraph(html: str) -> str:
    return f"<div style='white-space:pre-wrap;font-family:monospace;font-size:0.85em'>{html}</div>"


def _open_row(rows: pl.DataFrame, key: str) -> None:
    """A clicked row opens its letter: by case number (so the URL names it), else by id for this session."""
    selected = st.session_state[key].selection.rows
    if not selected:
        return
    row = rows.row(selected[0], named=True)
    st.session_state["case"] = row["case_number"] or ""
    st.session_state["open_letter"] = None if row["case_number"] else row["letter_id"]


def _close_letter() -> None:
    st.session_state["case"] = ""
    st.session_state["open_letter"] = None


def _first_page() -> None:
    st.session_state["results_page"] = 1


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


def _page_number(total: int, size: int) -> int:
    """The results page the reader is on (1-based), kept within the pages there are (filters may change)."""
    pages = _pages(total, size)
    if st.session_state.get("results_page", 1) > pages:
        st.session_state["results_page"] = pages
    return st.session_state.get("results_page", 1)


def _pager(total: int, size: int) -> None:
    if _pages(total, size) > 1:
        st.pagination(_pages(total, size), key="results_page")


# ---------------------------------------------------------------- without a search: the decisions

LIST_LABELS = {
    "case_number": "Case number", "decision_date": "Decided", "item_no": "Item", "treatment": "Treatment",
    "outcome": "Outcome", "service_category": "Service category", "drug_class": "Drug class",
    "drug_generic": "Drug", "ur_action": "UR action", "reviewer_specialty": "Reviewer specialty",
    "reviewer_ca_licence": "Reviewer licence", "age_band": "Age band", "patient_sex": "Sex",
}


def _decision_list(filters: data.Filters) -> None:
    total = ui.query("overview_totals", filters)["decisions"][0]
    st.subheader("Decisions, newest first")
    page = _page_number(total, PAGE_SIZE)
    rows = ui.query("letters_list", filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    first = (page - 1) * PAGE_SIZE
    st.caption(f"Decisions {first + 1:,}–{first + rows.height:,} of {total:,}; click a row to read its letter."
               if rows.height else "No decision matches the filters.")
    _table(rows, LIST_LABELS, "decision-rows")
    _pager(total, PAGE_SIZE)
    ui.decisions_download(PAGE, filters)


def _table(rows: pl.DataFrame, labels: dict[str, str], key: str) -> None:
    config: dict[str, object] = {name: None for name in rows.columns if name not in labels}
    for name, label in labels.items():
        if rows.schema.get(name) == pl.Date:
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif name == "score":
            config[name] = st.column_config.NumberColumn(label, format="%.1f", help="How well the letter matches: "
                                                         "rarer words, found more often, in the treatment above all.")
        else:
            config[name] = st.column_config.Column(label)
    st.dataframe(rows, hide_index=True, width="stretch", column_config=config, key=key,
                 on_select=partial(_open_row, rows, key), selection_mode="single-row")
    ui.print_table(rows.select(name for name in labels if name in rows.columns))  # on paper, every row shown


# ---------------------------------------------------------------- the search

SEARCH_LABELS = {"case_number": "Case number", "decision_date": "Decided", "decisions": "Decisions",
                 "score": "Relevance"}


def _terms(text: str) -> tuple:
    try:
        return search.parse_query(text).terms if text else ()
    except search.QueryError:
        return ()


def _search_results(text: str, filters: data.Filters) -> None:
    try:
        search.parse_query(text)  # a search that cannot be read is explained, not run
    except search.QueryError as problem:
        st.warning(f"{problem} {SEARCH_HELP}")
        return
    status = _index_status()
    if not status.usable:
        st.info(f"Search is not available: the search index {status.problem}. Look a letter up by its case "
                "number meanwhile; to build the index run `python -m etl.search --db <database>`.")
        return
    if status.indexed < status.letters:
        st.info(f"The search index covers {status.indexed:,} of {status.letters:,} letters; letters loaded since "
                "are not searched yet (the loader adds them; `python -m etl.search` catches up).")
    if status.outdated:
        one = status.outdated == 1
        st.info(f"{status.outdated:,} letter{'' if one else 's'} read differently by the new parser version "
                f"{'is' if one else 'are'} still searched as the earlier version read {'it' if one else 'them'} "
                "(the loader updates the index; `python -m etl.search` catches up).")
    page = st.session_state.get("results_page", 1)
    results = _search(text, filters, page)
    size = letters_search.PAGE_SIZE
    if page > _pages(results.matches, size) and page > 1:  # the filters changed under the reader's page number
        results = _search(text, filters, _pages(results.matches, size))
    matches = results.matches
    st.subheader(f"{matches:,} letter{' matches' if matches == 1 else 's match'} the search and the filters")
    if results.capped:
        st.caption(f"With filters, the {letters_search.MAX_FILTERED_HITS:,} letters that match the words best are "
                   "the ones checked against the filters: add words or narrow the filters to reach them all.")
    page = _page_number(matches, size)
    rows = results.rows
    if rows.is_empty():
        st.caption("No letter matches. Try fewer words, OR, a prefix (improv*), or fewer filters.")
        return
    first = (page - 1) * size
    st.caption(f"Letters {first + 1:,}–{first + rows.height:,} of {matches:,}, most relevant first; click a row "
               "to read the letter. Where each matched is shown below the table.")
    _table(rows.select("letter_id", "case_number", "decision_date", "decisions", "score"), SEARCH_LABELS,
           "search-rows")
    _pager(matches, size)
    _passages(results)


def _passages(results: letters_search.ResultsPage) -> None:
    items = []
    for row in results.rows.iter_rows(named=True):
        shown = results.passages.get(row["letter_id"]) or [("", "(the matching words could not be shown)")]
        passages = "".join(f"<div><em>{escape(where)}</em>: {passage}</div>" for where, passage in shown)
        items.append(f"<li><strong>{escape(row['case_number'] or 'no case number')}</strong>{passages}</li>")
    st.html("<ol style='padding-left:1.5em'>" + "".join(items) + "</ol>")


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_index(db_path: str, version: float | None) -> search.LetterIndex | None:
    # One open index per version: a load's commit changes the version, and the next view reopens it.
    return search.LetterIndex.open(Path(db_path))


def _index() -> search.LetterIndex | None:
    db_path = data.database_path()
    return _open_index(str(db_path), search.LetterIndex.version(db_path))


@st.cache_data(show_spinner=False, max_entries=20)
def _cached_status(database: tuple[str, int, int, int], version: float | None) -> search.IndexStatus:
    with data.reading(data.database_path()) as con:
        return search.index_status(data.database_path(), con)


def _index_status() -> search.IndexStatus:
    return _cached_status(data.database_version(data.database_path()), search.LetterIndex.version(data.database_path()))


def _search(text: str, filters: data.Filters, page: int) -> letters_search.ResultsPage:
    db_path = data.database_path()
    return _cached_search(data.database_version(db_path), search.LetterIndex.version(db_path), text, filters, page)


@st.cache_data(show_spinner=False, max_entries=100)
def _cached_search(database: tuple[str, int, int, int], version: float | None, text: str, filters: data.Filters,
                   page: int) -> letters_search.ResultsPage:
    with data.reading(data.database_path()) as con:
        return letters_search.search_page(con, _index(), search.parse_query(text), filters, page)


render()
