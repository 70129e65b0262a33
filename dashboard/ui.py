"""What every page shares: the read-only connection, cached queries, the filters, tables and exports."""

import html
import re
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, data, export
from dashboard.names import SHARE_FIELDS, human


@st.cache_data(show_spinner=False, max_entries=500)
def _cached_query(database: tuple[str, int, int, int], name: str, params: dict[str, object]) -> pl.DataFrame:
    # Keyed by the database's version: a committed load makes a new key, so the next view reads it.
    # No connection is kept: each uncached query opens the file and closes it (dashboard.data).
    return data.query_database(Path(database[0]), name, params)


def query(name: str, filters: data.Filters | None = None, **params: object) -> pl.DataFrame:
    """The one function a view's chart, table and CSV all take their rows from."""
    return _cached_query(data.database_version(data.database_path()), name,
                         (filters.params() if filters else {}) | params)


# ---------------------------------------------------------------- filters, kept in the URL

NOTES_KEY = "filter-notes"  # what the link's own values got wrong, kept until the filters are cleared
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """Text shown through Markdown exactly as written: every ASCII punctuation mark escaped, lines joined."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _choices() -> dict[str, tuple[str, ...]]:
    options = query("filter_options")
    from_data = {field: tuple(options.filter(pl.col("filter") == field)["value"].to_list())
                 for field in ("drugs", "specialties")}
    return data.FIXED_CHOICES | from_data


def filter_sidebar() -> None:
    """Draw the shared filters. bind="query-params" keeps each in the URL, so a link reproduces the view.

    Streamlit drops a URL value a widget cannot take without a word, so the link is read first and
    what it got wrong is kept as a note the page shows.
    """
    choices = _choices()
    state = st.session_state
    link = {key: st.query_params.get_all(key) for key in (*data.DATE_URL_KEYS, *data.LIST_URL_KEYS)}
    _, problems = data.parse_filters(link, choices)
    if problems:
        state[NOTES_KEY] = problems
    with st.sidebar:
        st.header("Filters")
        left, right = st.columns(2)
        left.date_input("Decided from", value=None, key="from", bind="query-params", format="YYYY-MM-DD",
                        min_value=data.FIRST_DATE)
        right.date_input("to", value=None, key="to", bind="query-params", format="YYYY-MM-DD",
                         min_value=data.FIRST_DATE)
        for key, field in data.LIST_URL_KEYS.items():
            label = human(data.FILTER_LABELS[field])
            if field in LABELLED_FIELDS:
                _labelled_multiselect(label, key, field, choices[field])
            else:
                st.multiselect(label, choices[field], key=key, bind="query-params", placeholder="all")
        st.button("Clear filters", key="clear-filters", on_click=clear_filters, width="stretch")


# Filters whose values read better as labels (reason codes). A bound widget would write the labels
# into the URL, so these keep the codes there themselves: a link says reasons=criteria_met.
LABELLED_FIELDS = {"reasons"}


def _labelled_multiselect(label: str, key: str, field: str, choices: tuple[str, ...]) -> None:
    state = st.session_state
    if key not in state:  # the first run of a session: the link's values (parse_filters named the rest)
        state[key] = [value for value in dict.fromkeys(st.query_params.get_all(key)) if value in choices]
    chosen = st.multiselect(label, choices, key=key, placeholder="all",
                            format_func=lambda value: data.value_label(field, value))
    if chosen:
        st.query_params[key] = chosen
    else:
        st.query_params.pop(key, None)


def clear_filters() -> None:
    """Every filter back to unset (and out of the URL), and the link's notes with them."""
    state = st.session_state
    for key in data.DATE_URL_KEYS:
        state[key] = None
    for key in data.LIST_URL_KEYS:
        state[key] = []
    state.pop(NOTES_KEY, None)


def _widget_filters() -> data.Filters:
    state = st.session_state
    return data.Filters(
        **{field: state.get(key) for key, field in data.DATE_URL_KEYS.items()},
        **{field: tuple(state.get(key) or ()) for key, field in data.LIST_URL_KEYS.items()},
    )


def current_filters() -> data.Filters:
    """The filters as the widgets hold them, a reversed date range left out (page_header says why)."""
    return _widget_filters().sound()


def filter_notes() -> None:
    """Say what was ignored and why, and when the filters make the rates meaningless."""
    state = st.session_state
    widgets = _widget_filters()
    reversed_range = data.date_range_problem(widgets)
    if reversed_range:
        st.error(plain(reversed_range))
    notes = [n for n in state.get(NOTES_KEY, ()) if n != reversed_range]
    if notes:
        st.warning("The link asked for values that do not exist, so they are ignored: "
                   + " ".join(plain(note) for note in notes))
    filters = widgets.sound()
    if filters.outcomes or filters.letter_outcomes:
        st.info("These decisions are chosen by their outcome, so the overturn rates below are not meaningful "
                "(filtered on overturned they are all 100%, on upheld all 0%); the counts still are. "
                "Clear the outcome filters to compare rates.")


def filter_sentence(filters: data.Filters) -> None:
    totals = query("overview_totals", filters)
    total = query("total_decisions")["decisions"][0]
    shown = totals["decisions"][0]
    st.markdown(f"**{shown:,} of {total:,} decisions** ({totals['letters'][0]:,} letters) · "
                f"{plain(filters.describe())}")


# ---------------------------------------------------------------- page furniture


def page_header(title: str, question: str) -> data.Filters:
    st.title(title)
    st.caption(question)
    filters = current_filters()
    filter_sentence(filters)
    filter_notes()
    return filters


def rate_note() -> None:
    st.caption(
        f"Rates show n and a 95% Wilson interval; groups of fewer than {data.MIN_N} decisions are "
        "marked *too few to judge* and drawn faint."
    )


def chart(figure: alt.TopLevelMixin) -> None:
    st.altair_chart(figure, width="stretch")


# Whole numbers that are names, not amounts: no thousands separator.
_IDENTIFIERS = {"letter_id", "item_no", "run_id", "decision_year", "year"}
SMALL_GROUP = "too few to judge"
_RATE_PARTS = ("overturn_rate", "ci_low", "ci_high", "enough_to_judge")


def for_screen(frame: pl.DataFrame) -> pl.DataFrame:
    """A table's rows as shown: rates as numbers with their interval, a small group marked in its own
    column (the rate stays a number, so the column sorts), lists as text, missing text blank."""
    if "rate_label" in frame.columns and {"decisions", "overturned"} <= set(frame.columns):
        # A page listing the rate's text label gets the numbers in its place.
        at = frame.columns.index("rate_label")
        rated = data.with_rates(frame.drop(*_RATE_PARTS, strict=False))
        before = [c for c in frame.columns[:at] if c not in _RATE_PARTS]
        after = [c for c in frame.columns[at + 1:] if c not in _RATE_PARTS]
        frame = rated.select(*before, *_RATE_PARTS, *after)
    elif "overturn_rate" in frame.columns:
        frame = frame.drop("rate_label", strict=False)
    if "enough_to_judge" in frame.columns:
        marked = pl.when(pl.col("enough_to_judge")).then(pl.lit("")).otherwise(pl.lit(SMALL_GROUP))
        frame = frame.with_columns(marked.alias("enough_to_judge")).rename({"enough_to_judge": "small_group"})
    return frame.with_columns(
        *(pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(", ")
          for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)),
    ).with_columns(pl.col(pl.String).fill_null(""))


def column_config(frame: pl.DataFrame) -> dict[str, object]:
    """Every column under its human name: shares as percentages, counts with separators, dates as dates."""
    config: dict[str, object] = {}
    for name, dtype in frame.schema.items():
        label = human(name)
        if name in SHARE_FIELDS:
            config[name] = st.column_config.NumberColumn(label, format="percent")
        elif dtype.is_integer() and name not in _IDENTIFIERS:
            config[name] = st.column_config.NumberColumn(label, format="localized")
        elif dtype.is_numeric():
            config[name] = st.column_config.NumberColumn(label, format="%.1f")
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        else:
            config[name] = st.column_config.Column(label)
    return config


def table(frame: pl.DataFrame, what: str, page: str, filters: data.Filters) -> None:
    """Show a table with its own CSV and Excel downloads, exactly the rows shown."""
    shown = for_screen(frame)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config(shown))
    print_table(shown)
    csv, xlsx = st.columns(2)
    # Built only when clicked (a deferred callable): most tables are never downloaded.
    csv.download_button(
        f"Download this table (CSV, {shown.height:,} rows)",
        data=lambda: export.csv_bytes(shown),
        file_name=export.file_name(what, page, filters),
        mime=export.CSV_MIME,
        key=f"download-{what}",
        on_click="ignore",
    )
    xlsx.download_button(
        "… or as Excel (.xlsx), with the filters",
        data=lambda: _table_xlsx(shown, what, page, filters),
        file_name=export.file_name(what, page, filters, "xlsx"),
        mime=export.XLSX_MIME,
        key=f"download-xlsx-{what}",
        on_click="ignore",
    )


def _table_xlsx(shown: pl.DataFrame, what: str, page: str, filters: data.Filters) -> bytes:
    with data.reading(data.database_path()) as con:
        last_load = export.last_load(con)
    return export.xlsx_bytes(shown, export.about_rows(page, what, filters, last_load, shown.height))


def _decisions_csv(filters: data.Filters) -> bytes:
    with data.reading(data.database_path()) as con:
        return b"".join(export.stream_decisions_csv(con, filters))


# A printed table is a plain HTML copy of the first rows (the interactive table is drawn on a canvas
# that prints only its scrolling window); app.py's print style shows it on paper and hides it on screen.
PRINT_ROWS = 100


def print_table(shown: pl.DataFrame) -> None:
    head = "".join(f"<th>{html.escape(human(name))}</th>" for name in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_printed(name, value))}</td>" for name, value in zip(shown.columns, row,
                                                                                              strict=True)) + "</tr>"
        for row in shown.head(PRINT_ROWS).iter_rows()
    )
    more = (f"<p>The first {PRINT_ROWS:,} of {shown.height:,} rows; the download has them all.</p>"
            if shown.height > PRINT_ROWS else "")
    st.html(f'<div class="imr-print-table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f"{more}</div>")


def _printed(name: str, value: object) -> str:
    if value is None:
        return ""
    if name in SHARE_FIELDS and isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, int) and not isinstance(value, bool) and name not in _IDENTIFIERS:
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


# What every rate table shows beside its grouping columns.
RATE_COLUMNS = ("decisions", "overturned", "overturn_rate", "ci_low", "ci_high", "enough_to_judge")


def rate_section(rates: pl.DataFrame, group: str, title: str, what: str, page: str, filters: data.Filters) -> None:
    """The overturn rate by one grouping column, as a chart and as its table."""
    if not rates.is_empty():
        chart(charts.rate_bars(rates, group, title))
    table(rates.select(group, *RATE_COLUMNS), what, page, filters)


# Beyond this many rows the in-memory fallback would hold hundreds of MB per download.
FALLBACK_ROWS = 200_000


def decisions_download(page: str, filters: data.Filters) -> None:
    """The filtered decisions (a million rows and more) as CSV and Excel."""
    if export.streaming_available():
        # serve.py's routes write the file batch by batch as the browser takes it: nothing held whole.
        left, right = st.columns(2)
        left.link_button("Download the filtered decisions (CSV)",
                         export.decisions_url(export.DECISIONS_CSV_PATH, page, filters), type="primary")
        right.link_button("… or as Excel (.xlsx)", export.decisions_url(export.DECISIONS_XLSX_PATH, page, filters))
        st.caption(f"The CSV has every matching decision, however many (a million letters: about half a minute). "
                   f"Excel holds at most {export.EXCEL_MAX_ROWS:,} rows: a larger workbook has the first "
                   f"{export.EXCEL_MAX_ROWS:,} and says so on its second sheet. A workbook is written whole "
                   "before it downloads, about ten minutes for a million rows: prefer the CSV for large selections.")
        return
    st.download_button(
        "Download the filtered decisions (CSV)",
        # Not cached: a large file per filter combination would fill the server's memory.
        data=lambda: _decisions_csv(filters),
        file_name=export.file_name("decisions", page, filters),
        mime=export.CSV_MIME,
        key="download-decisions",
        on_click="ignore",
        type="primary",
    )
    st.caption(f"This server was started without streamed downloads (`streamlit run app.py`), so it builds the "
               f"file in memory: fine up to about {FALLBACK_ROWS:,} decisions. Start it with "
               "`bash scripts/run.sh` to download any number.")
