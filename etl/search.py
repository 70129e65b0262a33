"""Full-text search over the letters: the tantivy index beside the database, its queries, highlighting.

    python -m etl.search [--db data/imr.duckdb]     # add to the index every letter not yet in it

One document per letter, built from the database's stored texts (never from the letter files):
the treatments (`decisions`), the rationales and both guideline lines (`decision_texts`) and the
full text (`letter_texts`). The index keeps those texts and what a result row shows, so a page of
results with its highlighted passages is read from the index alone. The index lives beside the
database, `imr.duckdb` -> `imr.search/`, and follows it: `sync_index` adds only the letters not
yet in it, so after each load it indexes the new letters, and after an interrupted run it
catches up. A rebuilt database numbers its letters afresh, so the index notes which build of the
database it follows and starts over when that changes. A re-parse keeps the letter ids and lists in
`search_changes` the letters whose searched text it changed: the index replaces just those documents
and notes the last re-parse it has taken in, so a new parser version costs what it changed.

Words are split on anything that is not a letter or digit and lower-cased, nothing more (no
stemming): a word matches exactly that word, `improv*` every word starting so, which is what a
reader of the highlighted results expects to see marked.

Exit codes of the command: 0 up to date, 2 the index could not be updated (the message says why).
"""

import argparse
import json
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

import duckdb
import polars as pl
import tantivy

DEFAULT_DB = Path("data/imr.duckdb")
FORMAT = 2  # bump when the index's fields change: an index of another format is built again
MANIFEST = "imr-search.json"
BATCH_LETTERS = 20_000  # letters per commit: an interrupted run keeps every finished batch
WRITER_HEAP = 200_000_000  # bytes tantivy buffers before writing a segment
DUCKDB_MEMORY_LIMIT = "512MB"  # what reading the texts may hold, as the loader allows
MIN_PREFIX = 2  # a shorter prefix would match most of the vocabulary

# Field name -> (what the searcher types before a colon, boost). The treatment names matter most:
# a letter about Lyrica should outrank one that mentions it in passing.
FIELDS = {
    "treatment": ("treatment", 3.0),
    "rationale": ("rationale", 2.0),
    "guideline": ("guideline", 1.5),
    "full_text": ("text", 1.0),
}
FIELD_BY_PREFIX = {prefix: name for name, (prefix, _) in FIELDS.items()}
# A word with no field before it is looked for in these: the full text holds the rationales and
# guideline lines too, and searching them again would double the work of a common phrase.
DEFAULT_FIELDS = ("treatment", "full_text")
TIE_BREAKER = 0.3  # a word found in several fields counts a little more than in one

# tantivy's default tokenizer splits on anything that is not alphanumeric and drops longer tokens.
WORD = re.compile(r"[^\W_]+")
MAX_TOKEN_LENGTH = 40
OPERATORS = {"AND", "OR", "NOT"}
CASE_NUMBER = re.compile(r"([A-Z]+\d{2})-?(\d+)")
_LEXEME = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<phrase>"[^"]*"?\*?)|(?P<minus>-)(?=\S)'
                     r'|(?P<plus>\+)(?=\S)|(?P<word>[^\s()"]+))')


class SearchError(Exception):
    """The index cannot be built or read; the message says what to do."""


class QueryError(ValueError):
    """The search text cannot be read as a query; the message says why, in plain words."""


def index_path(db_path: Path) -> Path:
    """Where the index of a database lives: beside it, `<db stem>.search/`."""
    return db_path.with_name(f"{db_path.stem}.search")


def words(text: str) -> list[str]:
    """The tokens the index holds for a text, in order."""
    return [w.lower() for w in WORD.findall(text) if len(w) <= MAX_TOKEN_LENGTH]


# ---------------------------------------------------------------- building the index

# Kept in the index but not searched (bytes, not indexed): what a result row shows. The texts are
# stored too, so a page of results and its passages come from the index alone: fetching 20 letters'
# texts from the date-sorted DuckDB tables takes seconds at a million letters, from the index a few ms.
SHOWN = ("case_number", "decision_date", "decisions")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("letter_id", stored=False, indexed=True, fast=True)
    for name in FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="default", index_option="position")
    for name in SHOWN:
        builder.add_bytes_field(name, stored=True, indexed=False)
    return builder.build()


SCHEMA = _schema()


def _generation(con: duckdb.DuckDBPyConnection) -> str:
    """Which build of the database the letter ids belong to: the run that loaded the oldest letters.

    An incremental load keeps every letter's id and run; a rebuild gives them all new ones.
    """
    [(run_id, started_at)] = con.execute(
        "SELECT r.run_id, CAST(r.started_at AS VARCHAR) FROM load_runs r "
        "WHERE r.run_id = (SELECT min(run_id) FROM letters)").fetchall() or [(None, None)]
    return f"run {run_id} started {started_at}" if run_id is not None else "no letters"


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _write_manifest(path: Path, manifest: dict) -> None:
    temp = path / f"{MANIFEST}.new"
    temp.write_text(json.dumps(manifest))
    temp.replace(path / MANIFEST)  # atomic: a reader sees the old manifest or the new one


def _builds_match(manifest: dict, generation: str) -> bool:
    return manifest.get("format") == FORMAT and manifest.get("generation") == generation


def _last_run(con: duckdb.DuckDBPyConnection) -> int:
    [(run_id,)] = con.execute("SELECT coalesce(max(run_id), 0) FROM load_runs").fetchall()
    return run_id


def _fresh_index(path: Path, generation: str, last_run: int) -> tantivy.Index:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(SCHEMA, str(path))
    # Written before any letter: the letters added later all belong to this generation, and are read
    # as every re-parse up to now left them.
    _write_manifest(path, {"format": FORMAT, "generation": generation, "reparsed_through": last_run})
    return index


def _max_indexed_id(index: tantivy.Index) -> int:
    searcher = index.searcher()
    if searcher.num_docs == 0:
        return 0
    result = searcher.search(tantivy.Query.all_query(), limit=1, count=False, order_by_field="letter_id")
    return result.hits[0][0]


def _missing_ids(con: duckdb.DuckDBPyConnection, index: tantivy.Index) -> pl.Series:
    """The letter ids the database has and the index lacks, ascending."""
    after = _max_indexed_id(index)
    newer = pl.Series("letter_id", [i for (i,) in con.execute(
        "SELECT letter_id FROM letters WHERE letter_id > $after ORDER BY letter_id", {"after": after}).fetchall()],
        dtype=pl.Int64)
    [(older,)] = con.execute("SELECT count(*) FROM letters WHERE letter_id <= $after", {"after": after}).fetchall()
    if index.searcher().num_docs == older:
        return newer  # the usual case: batches go in ascending order, so nothing is missing below the top
    # A gap below the highest id (it should not happen): compare every id, slowly but surely.
    searcher = index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs, count=False)
    indexed = pl.Series("letter_id", searcher.fast_field_values("letter_id", [a for _, a in hits.hits]),
                        dtype=pl.Int64)
    every = pl.Series("letter_id", [i for (i,) in con.execute("SELECT letter_id FROM letters").fetchall()],
                      dtype=pl.Int64)
    return every.filter(~every.is_in(indexed.implode())).sort()


def _changed_ids(con: duckdb.DuckDBPyConnection, index: tantivy.Index, after_run: int) -> pl.Series:
    """The indexed letters whose searched text a re-parse after run `after_run` changed, ascending. Letters
    not indexed yet are left to `_missing_ids`, which adds them as they are now."""
    has_changes = con.execute("SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() "
                              "AND table_name = 'search_changes'").fetchall()
    if not has_changes:  # a database from before re-parses listed their changes
        return pl.Series("letter_id", [], dtype=pl.Int64)
    return pl.Series("letter_id", [i for (i,) in con.execute(
        "SELECT DISTINCT letter_id FROM search_changes WHERE run_id > $after AND letter_id <= $indexed "
        "ORDER BY letter_id", {"after": after_run, "indexed": _max_indexed_id(index)}).fetchall()], dtype=pl.Int64)


# One row per letter of a batch: what each field of its document holds. The guideline lines go in
# as pairs per decision (claims administrator's, IMR reviewer's; '' when absent), so the page can say
# which decision and side a passage comes from.
_BATCH_TEXTS = """
SELECT t.letter_id, t.full_text, l.case_number, CAST(l.decision_date AS VARCHAR) AS decision_date,
       d.treatments, d.outcomes, d.rationales, d.guidelines
FROM letter_texts t
JOIN batch b USING (letter_id)
JOIN letters l USING (letter_id)
LEFT JOIN (
    SELECT d.letter_id,
           list(d.treatment ORDER BY d.item_no) AS treatments,
           list(CAST(d.outcome AS VARCHAR) ORDER BY d.item_no) AS outcomes,
           list(x.rationale ORDER BY d.item_no) AS rationales,
           flatten(list([coalesce(x.ca_guideline_text, ''), coalesce(x.imr_guideline_text, '')]
                        ORDER BY d.item_no)) AS guidelines
    FROM decisions d
    JOIN decision_texts x USING (letter_id, item_no)
    WHERE d.letter_id BETWEEN $low AND $high
    GROUP BY d.letter_id
) d USING (letter_id)
WHERE t.letter_id BETWEEN $low AND $high AND l.letter_id BETWEEN $low AND $high
"""


def _documents(con: duckdb.DuckDBPyConnection, batch: pl.Series) -> Iterator[tantivy.Document]:
    frame = pl.DataFrame({"letter_id": batch})
    with con.cursor() as cursor:
        cursor.register("batch", frame)
        rows = cursor.execute(_BATCH_TEXTS, {"low": batch[0], "high": batch[-1]}).fetchall()
    for letter_id, full_text, case_number, decision_date, treatments, outcomes, rationales, guidelines in rows:
        doc = tantivy.Document()
        doc.add_unsigned("letter_id", letter_id)
        doc.add_text("full_text", full_text)
        for name, texts in (("treatment", treatments), ("rationale", rationales), ("guideline", guidelines)):
            for text in texts or ():
                doc.add_text(name, text or "")
        summary = "; ".join(f"{t} ({o})" for t, o in zip(treatments or (), outcomes or (), strict=True))
        for name, value in (("case_number", case_number), ("decision_date", decision_date), ("decisions", summary)):
            doc.add_bytes(name, (value or "").encode())
        yield doc


def _write_documents(con: duckdb.DuckDBPyConnection, writer, letter_ids: pl.Series, done: str, progress: bool,
                     replace: bool = False) -> int:
    """Add these letters' documents (first deleting their old ones when `replace`), a batch per commit."""
    started = time.monotonic()
    for start in range(0, letter_ids.len(), BATCH_LETTERS):
        batch = letter_ids.slice(start, BATCH_LETTERS)
        if replace:
            writer.delete_documents_by_query(tantivy.Query.term_set_query(SCHEMA, "letter_id", batch.to_list()))
        for doc in _documents(con, batch):
            writer.add_document(doc)
        writer.commit()
        if progress:
            written = start + batch.len()
            print(f"{done} {written:,}/{letter_ids.len():,} letters "
                  f"({written / (time.monotonic() - started):,.0f}/s)", file=sys.stderr)
    return letter_ids.len()


def sync_index(db_path: Path, progress: bool = False) -> int:
    """Bring the index beside `db_path` up to date: replace the documents of letters a re-parse changed,
    add every letter not yet in it; return how many documents were written.

    Idempotent: a second call writes nothing. Letters go in ascending id, committed a batch at a
    time, so an interrupted run leaves whole batches and the next call does the rest.
    """
    db_path = Path(db_path)
    path = index_path(db_path)
    try:
        con = duckdb.connect(str(db_path), read_only=True)
        # DuckDB would otherwise cache the database's blocks up to most of the machine's memory.
        con.execute("SET memory_limit = $limit", {"limit": DUCKDB_MEMORY_LIMIT})
    except duckdb.Error as exc:
        raise SearchError(f"The database {db_path} cannot be opened to index it ({exc}).") from None
    try:
        generation, last_run = _generation(con), _last_run(con)
        manifest = _read_manifest(path)
        if not _builds_match(manifest, generation) or not (path / "meta.json").is_file():
            index = _fresh_index(path, generation, last_run)
            manifest = _read_manifest(path)
        else:
            index = tantivy.Index.open(str(path))
        changed = _changed_ids(con, index, manifest.get("reparsed_through", 0))
        missing = _missing_ids(con, index)
        if changed.is_empty() and missing.is_empty():
            return 0
        try:
            writer = index.writer(WRITER_HEAP, 1)
        except ValueError as exc:
            raise SearchError(f"Another process is updating the search index at {path}; run this again when it "
                              f"has finished ({exc}).") from None
        written = _write_documents(con, writer, changed, "re-indexed", progress, replace=True)
        if manifest.get("reparsed_through", 0) < last_run:
            # Only once every changed letter is committed: a run stopped before this replaces them again.
            _write_manifest(path, manifest | {"reparsed_through": last_run})
        written += _write_documents(con, writer, missing, "indexed", progress)
        writer.wait_merging_threads()
        return written
    except (OSError, ValueError, duckdb.Error) as exc:
        raise SearchError(f"The search index at {path} could not be updated ({exc}). Run "
                          f"`python -m etl.search --db {db_path}` to try again.") from None
    finally:
        con.close()


# ---------------------------------------------------------------- reading the index

@dataclass(frozen=True)
class IndexStatus:
    """How far the index follows the database: `usable` is False when it cannot be searched at all."""

    indexed: int
    letters: int
    usable: bool
    problem: str | None = None
    outdated: int = 0  # letters a re-parse changed whose documents still hold the earlier parse

    @property
    def complete(self) -> bool:
        return self.usable and self.indexed >= self.letters and not self.outdated


class LetterIndex:
    """An open index, for searching; open one per version of the index (see `version`)."""

    def __init__(self, path: Path):
        self.path = path
        self.index = tantivy.Index.open(str(path))
        self.manifest = _read_manifest(path)

    @staticmethod
    def version(db_path: Path) -> float | None:
        """Changes whenever a commit changes the index (None when there is none), for caching."""
        meta = index_path(db_path) / "meta.json"
        return meta.stat().st_mtime if meta.exists() else None

    @classmethod
    def open(cls, db_path: Path) -> "LetterIndex | None":
        path = index_path(db_path)
        if not (path / "meta.json").is_file():
            return None
        return cls(path)

    def status(self, con: duckdb.DuckDBPyConnection) -> IndexStatus:
        with con.cursor() as cursor:
            [(letters,)] = cursor.execute("SELECT count(*) FROM letters").fetchall()
            generation = _generation(cursor)
            outdated = _changed_ids(cursor, self.index, self.manifest.get("reparsed_through", 0)).len()
        indexed = self.index.searcher().num_docs
        if not _builds_match(self.manifest, generation):
            return IndexStatus(indexed, letters, False, "was built for an earlier version of the database")
        return IndexStatus(indexed, letters, True, outdated=outdated)

    def hits(self, query: "SearchQuery", limit: int, offset: int = 0) -> "Hits":
        """The best `limit` matches after `offset`, best first, and how many match in all."""
        searcher = self.index.searcher()
        result = searcher.search(query.tantivy, limit=limit, count=True, offset=offset)
        addresses = [address for _, address in result.hits]
        ids = searcher.fast_field_values("letter_id", addresses)
        frame = pl.DataFrame({"letter_id": ids, "score": [score for score, _ in result.hits]},
                             schema={"letter_id": pl.Int32, "score": pl.Float32})
        return Hits(frame, dict(zip(ids, addresses, strict=True)), result.count)

    def letters(self, hits: "Hits", letter_ids: list[int]) -> list[dict]:
        """What the index keeps of these letters (from `hits`): the fields of SHOWN and the texts by field,
        each text field as a list (per decision; guideline lines in pairs, claims administrator's first)."""
        searcher = self.index.searcher()
        found = []
        for letter_id in letter_ids:
            doc = searcher.doc(hits.addresses[letter_id])
            letter = {name: (doc.get_first(name) or b"").decode() or None for name in SHOWN}
            letter |= {name: doc.get_all(name) for name in FIELDS}
            found.append(letter | {"letter_id": letter_id})
        return found


@dataclass(frozen=True)
class Hits:
    frame: pl.DataFrame  # letter_id, score; best first
    addresses: dict  # letter_id -> where the index keeps the letter
    count: int  # how many letters match in all (beyond those read)


def index_status(db_path: Path, con: duckdb.DuckDBPyConnection) -> IndexStatus:
    """The status of the index beside `db_path` (built or not) against the open database."""
    index = LetterIndex.open(db_path)
    if index is None:
        [(letters,)] = con.cursor().execute("SELECT count(*) FROM letters").fetchall()
        return IndexStatus(0, letters, False, "has not been built yet")
    return index.status(con)


def normalise_case_number(typed: str) -> str | None:
    """'cm16 0242302', 'CM160242302' and ' CM16–0242302 ' all mean CM16-0242302, as letters print it;
    None when what was typed cannot be a case number."""
    compact = re.sub(r"\s+", "", typed).upper().replace("–", "-").replace("—", "-")
    match = CASE_NUMBER.fullmatch(compact)
    return f"{match[1]}-{match[2]}" if match else None


# ---------------------------------------------------------------- the query language

@dataclass(frozen=True)
class Term:
    """A word or phrase (its tokens), maybe a prefix (last token), maybe limited to one field."""

    tokens: tuple[str, ...]
    prefix: bool = False
    field: str | None = None


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class All:
    children: tuple


@dataclass(frozen=True)
class Any:
    children: tuple


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, read: the tantivy query, and the terms to mark in the results."""

    text: str
    tree: object
    tantivy: tantivy.Query
    terms: tuple[Term, ...]


def parse_query(text: str) -> SearchQuery:
    """Read a search: words (all must match), "a phrase", prefix*, AND, OR, NOT or -word, (groups),
    and field:word for treatment, rationale, guideline or text (the full letter).

    Raises QueryError with a sentence saying what is wrong.
    """
    tree = _Parser(text).parse()
    if tree is None:
        raise QueryError("Type a word, a phrase in quotes or a case number to search for.")
    terms = tuple(dict.fromkeys(_positive_terms(tree)))
    return SearchQuery(text, tree, _compile(tree), terms)


class _Parser:
    """expr := all (OR all)* ; all := unary ([AND] unary)* ; unary := (NOT | -) unary | [+] primary ;
    primary := ( expr ) | [field:] word[*] | [field:] "phrase"[*]"""

    def __init__(self, text: str):
        self.lexemes = self._lex(text)
        self.at = 0

    @staticmethod
    def _lex(text: str) -> list[tuple[str, str]]:
        lexemes, pos = [], 0
        while pos < len(text):
            match = _LEXEME.match(text, pos)
            if not match or match.end() == pos:
                break
            pos = match.end()
            kind = match.lastgroup
            value = match.group(kind)
            if kind == "word" and value in OPERATORS:
                kind = value
            lexemes.append((kind, value))
        return lexemes

    def _peek(self) -> str | None:
        return self.lexemes[self.at][0] if self.at < len(self.lexemes) else None

    def _take(self) -> tuple[str, str]:
        self.at += 1
        return self.lexemes[self.at - 1]

    def parse(self) -> object | None:
        tree = self._any()
        if self._peek() == "close":
            raise QueryError("The search has a closing bracket “)” without an opening one.")
        return tree

    def _any(self) -> object | None:
        children = [self._all()]
        while self._peek() == "OR":
            self._take()
            children.append(self._all())
        children = [c for c in children if c is not None]
        if any(isinstance(c, Not) for c in children):
            raise QueryError("OR NOT cannot be searched: say what to look for, then NOT what to leave out.")
        if not children:
            return None
        return children[0] if len(children) == 1 else Any(tuple(children))

    def _all(self) -> object | None:
        children = []
        while self._peek() not in (None, "OR", "close"):
            if self._peek() == "AND":
                self._take()
                continue
            child = self._unary()
            if child is not None:
                children.append(child)
        if not children:
            return None
        if all(isinstance(c, Not) for c in children):
            raise QueryError("The search says only what to leave out (NOT or -): say what to look for too.")
        return children[0] if len(children) == 1 else All(tuple(children))

    def _unary(self) -> object | None:
        kind, _ = self._take()
        if kind in ("NOT", "minus"):
            if self._peek() in (None, "OR", "close", "AND"):
                raise QueryError("NOT (or -) must be followed by what to leave out.")
            child = self._unary()
            return Not(child) if child is not None else None
        if kind == "plus":
            return self._unary()
        if kind == "open":
            child = self._any()
            if self._peek() != "close":
                raise QueryError("The search opens a bracket “(” and does not close it.")
            self._take()
            return child
        if kind == "close":
            raise QueryError("The search has a closing bracket “)” without an opening one.")
        return self._term(kind, _)

    def _term(self, kind: str, value: str) -> Term | None:
        field = None
        if kind == "word" and ":" in value:
            prefix, rest = value.split(":", 1)
            if prefix.lower() in FIELD_BY_PREFIX:
                field = FIELD_BY_PREFIX[prefix.lower()]
                if not rest and self._peek() == "phrase":  # treatment:"lyrica 75"
                    kind, value = self._take()
                else:
                    value = rest
        prefix = value.endswith("*")
        body = value.rstrip("*")
        if kind == "phrase":
            if not body.endswith('"') or len(body) < 2:
                raise QueryError("The search opens a quotation mark and does not close it.")
            body = body[1:-1]
        tokens = tuple(words(body))
        if not tokens:
            return None  # punctuation alone: nothing the index could hold
        if prefix and len(tokens[-1]) < MIN_PREFIX:
            # The message names no part of the search: it may come from a link, and is shown as Markdown.
            raise QueryError(f"A prefix needs at least {MIN_PREFIX} letters or digits before the *.")
        return Term(tokens, prefix, field)


def _positive_terms(node: object) -> Iterator[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, All | Any):
        for child in node.children:
            yield from _positive_terms(child)


def _compile(node: object) -> tantivy.Query:
    if isinstance(node, Term):
        fields = [node.field] if node.field else list(DEFAULT_FIELDS)
        per_field = [tantivy.Query.boost_query(_field_query(node, name), FIELDS[name][1]) for name in fields]
        return per_field[0] if len(per_field) == 1 else tantivy.Query.disjunction_max_query(per_field, TIE_BREAKER)
    if isinstance(node, Any):
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, _compile(c)) for c in node.children])
    assert isinstance(node, All), node
    return tantivy.Query.boolean_query([
        (tantivy.Occur.MustNot, _compile(c.child)) if isinstance(c, Not) else (tantivy.Occur.Must, _compile(c))
        for c in node.children
    ])


def _field_query(term: Term, field: str) -> tantivy.Query:
    if len(term.tokens) == 1:
        if term.prefix:
            # Tokens hold only letters and digits, so the prefix needs no regex escaping.
            return tantivy.Query.regex_query(SCHEMA, field, f"{term.tokens[0]}.*")
        return tantivy.Query.term_query(SCHEMA, field, term.tokens[0])
    if term.prefix:
        return tantivy.Query.phrase_prefix_query(SCHEMA, field, list(term.tokens))
    return tantivy.Query.phrase_query(SCHEMA, field, list(term.tokens))


# ---------------------------------------------------------------- highlighting

@cache
def _pattern(term: Term, ignore_case: bool) -> re.Pattern:
    """A regular expression finding the term in lower-case text as the index reads it: whole words,
    anything not a letter or digit between a phrase's words, any ending after a prefix. It starts
    with the first word itself (the word boundary is checked behind it), which lets the regex
    engine jump from one occurrence of that word to the next: ten times faster on a letter."""
    first = re.escape(term.tokens[0])
    rest = "".join(r"[\W_]+" + re.escape(token) for token in term.tokens[1:])
    ending = r"[^\W_]*" if term.prefix else ""
    return re.compile(rf"{first}(?<![^\W_]{first}){rest}{ending}(?![^\W_])", re.IGNORECASE if ignore_case else 0)


def _term_spans(text: str, term: Term) -> Iterator[tuple[int, int]]:
    lowered = text.lower()
    # A few characters change length when lower-cased (İ): then match the text as it is, ignoring case.
    same_length = len(lowered) == len(text)
    return (match.span() for match in _pattern(term, not same_length).finditer(lowered if same_length else text))


def _wanted(terms: tuple[Term, ...], field: str | None) -> list[Term]:
    """The terms that can match in `field` (all of them in the full text, or when no field is named)."""
    return [t for t in terms if field in (None, "full_text") or t.field in (None, field)]


def match_spans(text: str, terms: tuple[Term, ...], field: str | None = None) -> list[tuple[int, int]]:
    """Character spans of `text` where a term matches (a phrase as one span), in order, merged."""
    spans = sorted(span for term in _wanted(terms, field) for span in _term_spans(text, term))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight_html(text: str, terms: tuple[Term, ...], field: str | None = None) -> str:
    """The text as HTML that shows it literally, with <mark> around the matches.

    Every piece of the letter's text is escaped; the only tags are the marks added here.
    """
    parts, pos = [], 0
    for start, end in match_spans(text, terms, field):
        parts += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    parts.append(escape(text[pos:]))
    return "".join(parts)


@dataclass(frozen=True)
class _Window:
    start: int  # where the passage starts in the text
    anchor_end: int  # the end of the match it is built around (it must stay inside)
    covered: frozenset[int]  # the terms (by position in the query's terms) matched inside it


def _matches(text: str, terms: tuple[Term, ...], field: str | None) -> list[tuple[tuple[int, int], int]]:
    """Every match in `text` of a term that can match in `field`: (span, the term's position), in order."""
    wanted_here = _wanted(terms, field)
    return sorted((span, n) for n, term in enumerate(terms) if term in wanted_here for span in _term_spans(text, term))


def _best_window(found: list[tuple[tuple[int, int], int]], width: int, wanted: frozenset[int]) -> _Window | None:
    """Where a passage of `width` holds the most of the `wanted` terms (the first such place)."""
    if not found:
        return None
    reach = width * 2 // 3  # the matches counted together fit in the passage after its lead-in

    def near(span: tuple[int, int]) -> frozenset[int]:
        return frozenset(n for (other, _), n in found if span[0] <= other < span[0] + reach)

    anchor = max((span for span, _ in found), key=lambda span: len(near(span) & wanted))
    return _Window(max(0, anchor[0] - width // 3), anchor[1], near(anchor))


def _passage_html(text: str, terms: tuple[Term, ...], field: str | None, width: int, window: _Window) -> str:
    start, end = window.start, min(len(text), window.start + width)
    if start > 0:  # whole words at both ends
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < window.anchor_end - 1 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > window.anchor_end else end
    passage = " ".join(text[start:end].split())
    return ("… " if start > 0 else "") + highlight_html(passage, terms, field) + (" …" if end < len(text) else "")


def snippet_html(text: str, terms: tuple[Term, ...], width: int = 260, field: str | None = None) -> str | None:
    """A passage of about `width` characters where the most different terms match close together (the
    first such place), highlighted; None when no term matches."""
    window = _best_window(_matches(text, terms, field), width, frozenset(range(len(terms))))
    return _passage_html(text, terms, field, width, window) if window else None


def best_passages(candidates: list[tuple[str, str, str | None]], terms: tuple[Term, ...], limit: int = 3,
                  width: int = 260) -> list[tuple[str, str]]:
    """Passages showing where the search matched: of the (where, field, text) candidates, the passage
    holding the most terms, then the one holding the most of the terms still unshown, and so on, up
    to `limit`. Each as (where, highlighted HTML); empty when no candidate holds any term."""
    remaining = frozenset(range(len(terms)))
    found = [(where, field, text, _matches(text, terms, field)) for where, field, text in candidates if text]
    shown: list[tuple[str, str]] = []
    while remaining and len(shown) < limit:
        best = None
        for where, field, text, matches in found:
            window = _best_window(matches, width, remaining)
            if window and (best is None or len(window.covered & remaining) > len(best[3].covered & remaining)):
                best = (where, field, text, window)
        if best is None or not best[3].covered & remaining:
            break
        where, field, text, window = best
        shown.append((where, _passage_html(text, terms, field, width, window)))
        remaining -= window.covered
    return shown


# ---------------------------------------------------------------- the command

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the database file (default {DEFAULT_DB})")
    parser.add_argument("--quiet", action="store_true", help="no progress")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"There is no database at {args.db}: load letters first with `python -m etl.load`.", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        added = sync_index(args.db, progress=not args.quiet)
    except SearchError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"Added {added:,} letters to the search index {index_path(args.db)} in "
              f"{time.monotonic() - started:,.1f} s; it is up to date.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
