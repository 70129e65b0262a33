"""What every page shares: the read-only connection, cached queries, the filters and the exports."""

from datetime import date
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, data, export
from etl import vocab


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

def filter_sidebar() -> None:
    """Draw the shared filters. bind="query-params" keeps each in the URL, so a link reproduces the view."""
    options = query("filter_options")
    choices = {
        "category": vocab.SERVICE_CATEGORIES,
        "drug_class": vocab.DRUG_CLASSES,
        "drug": options.filter(pl.col("filter") == "drugs")["value"].to_list(),
        "specialty": options.filter(pl.col("filter") == "specialties")["value"].to_list(),
        "guideline": data.GUIDELINE_SOURCES,
        "outcome": vocab.OUTCOMES,
        "ur_action": vocab.UR_ACTIONS,
        "licence": data.CA_LICENCES,
        "age_band": data.AGE_BANDS,
        "sex": data.SEXES,
    }
    with st.sidebar:
        st.header("Filters")
        left, right = st.columns(2)
        left.date_input("Decided from", value=None, key="from", bind="query-params", format="YYYY-MM-DD",
                        min_value=date(2013, 1, 1))
        right.date_input("to", value=None, key="to", bind="query-params", format="YYYY-MM-DD",
                         min_value=date(2013, 1, 1))
        for key, field in data.LIST_URL_KEYS.items():
            label = data.FILTER_LABELS[field]
            label = label[0].upper() + label[1:]
            st.multiselect(label, choices[key], key=key, bind="query-params", placeholder="all")


def current_filters() -> data.Filters:
    state = st.session_state
    return data.Filters(
        **{field: state.get(key) for key, field in data.DATE_URL_KEYS.items()},
        **{field: tuple(state.get(key) or ()) for key, field in data.LIST_URL_KEYS.items()},
    )


def filter_sentence(filters: data.Filters) -> None:
    totals = query("overview_totals", filters)
    total = query("total_decisions")["decisions"][0]
    shown = totals["decisions"][0]
    st.markdown(f"**{shown:,} of {total:,} decisions** ({totals['letters'][0]:,} letters) · {filters.describe()}")


# ---------------------------------------------------------------- page furniture


def page_header(title: str, question: str) -> data.Filters:
    st.title(title)
    st.caption(question)
    filters = current_filters()
    filter_sentence(filters)
    return filters


def rate_note() -> None:
    st.caption(
        f"Rates show n and a 95% Wilson interval; groups of fewer than {data.MIN_N} decisions are "
        "marked *too few to judge* and drawn faint."
    )


def chart(figure: alt.TopLevelMixin) -> None:
    st.altair_chart(figure, width="stretch")


# Columns holding a share (0 to 1): shown as percentages on screen, kept as fractions in the CSV.
SHARE_COLUMNS = {"overturn_rate", "ci_low", "ci_high", "share", "median_share_cut", "share_cut_of_total",
                 "share_found", "share_cut"}
COLUMN_LABELS = {"ci_low": "95% interval from", "ci_high": "95% interval to", "rate_label": "overturn rate",
                 "drug_generic": "drug", "reviewer_ca_licence": "reviewer licence", "mtus_part": "MTUS part",
                 "imr_guideline_group": "IMR reviewer cited", "ca_guideline_group": "claims administrator cited",
                 "ur_action": "UR action"}


def _column_config(frame: pl.DataFrame) -> dict[str, object]:
    config: dict[str, object] = {}
    for name, dtype in frame.schema.items():
        label = COLUMN_LABELS.get(name, name.replace("_", " "))
        label = label[0].upper() + label[1:]
        if name in SHARE_COLUMNS:
            config[name] = st.column_config.NumberColumn(label, format="percent")
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        else:
            config[name] = st.column_config.Column(label)
    return config


def table(frame: pl.DataFrame, what: str, page: str, filters: data.Filters) -> None:
    """Show a table with its own CSV download, exactly the rows shown."""
    shown = frame.drop("enough_to_judge", strict=False)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=_column_config(shown))
    st.download_button(
        f"Download this table (CSV, {shown.height:,} rows)",
        data=export.csv_bytes(shown),
        file_name=export.file_name(what, page, filters),
        mime="text/csv",
        key=f"download-{what}",
        on_click="ignore",
    )


# What every rate table shows beside its grouping columns.
RATE_COLUMNS = ("decisions", "overturned", "rate_label", "ci_low", "ci_high")


def rate_section(rates: pl.DataFrame, group: str, title: str, what: str, page: str, filters: data.Filters) -> None:
    """The overturn rate by one grouping column, as a chart and as its table."""
    if not rates.is_empty():
        chart(charts.rate_bars(rates, group, title))
    table(rates.select(group, *RATE_COLUMNS), what, page, filters)


def decisions_download(page: str, filters: data.Filters) -> None:
    """The filtered decisions as CSV, built only when clicked (it can be a million rows)."""
    st.download_button(
        "Download the filtered decisions (CSV)",
        # Not cached: a million-row frame per filter combination would fill the server's memory.
        data=lambda: export.csv_bytes(
            data.query_database(data.database_path(), "decisions_export", filters.params())
        ),
        file_name=export.file_name("decisions", page, filters),
        mime="text/csv",
        key="download-decisions",
        on_click="ignore",
        type="primary",
    )
