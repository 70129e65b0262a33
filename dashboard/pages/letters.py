"""Letters: the filtered decisions as a table; picking one shows its letter in full."""

import polars as pl
import streamlit as st

from dashboard import ui

PAGE = "letters"
ROWS_SHOWN = 1000


def render() -> None:
    filters = ui.page_header("Letters", "The decisions behind the numbers, letter by letter.")
    rows = ui.query("letters_list", filters, limit=ROWS_SHOWN)
    st.caption(f"The newest {min(rows.height, ROWS_SHOWN):,} matching decisions; "
               "download the filtered decisions for all of them.")
    ui.table(rows, "letters-list", PAGE, filters)
    ui.decisions_download(PAGE, filters)
    if rows.is_empty():
        return

    letters = rows.unique("letter_id", keep="first", maintain_order=True)
    labels = dict(zip(letters["letter_id"], letters.select(
        pl.format("{} · decided {} · {}", pl.col("case_number").fill_null("no case number"),
                  pl.col("decision_date").cast(pl.String).fill_null("date unknown"), pl.col("treatment"))
    ).to_series(), strict=True))
    letter_id = st.selectbox("Open a letter", list(labels), format_func=labels.get, key="letter")
    letter = ui.query("letter_detail", letter_id=letter_id)
    if letter.is_empty():
        st.warning("That letter is no longer in the database; pick another.")
        return
    fields = letter.drop("full_text").row(0, named=True)
    st.subheader(fields["case_number"] or "Letter without a case number")
    st.dataframe(pl.DataFrame({"field": list(fields), "value": [_cell(v) for v in fields.values()]}),
                 hide_index=True, width="stretch")
    for item in ui.query("letter_decisions", letter_id=letter_id).iter_rows(named=True):
        with st.container(border=True):
            st.markdown(f"**{item['item_no']}. {item['treatment']}: {item['outcome']}**")
            st.caption(" · ".join(f"{k.replace('_', ' ')}: {_cell(v)}" for k, v in item.items()
                                  if k not in {"item_no", "treatment", "outcome", "rationale"} and v is not None))
            st.markdown("**Decision rationale**")
            st.text(item["rationale"])
    with st.expander("Full text of the letter"):
        st.text(letter["full_text"][0])


def _cell(value: object) -> str:
    if isinstance(value, list | pl.Series):
        return ", ".join(map(str, value)) or "none"
    return "not stated" if value is None else str(value)


render()
