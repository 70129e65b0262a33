"""Reviewers: outcomes by primary specialty, specialty by service category, California licence."""

import streamlit as st

from dashboard import charts, data, ui

PAGE = "reviewers"


def render() -> None:
    filters = ui.page_header("Reviewers", "Who reviewed the disputes, and whether their outcomes differ.")
    ui.rate_note()
    specialties = data.with_rates(ui.query("reviewers_specialty", filters))
    ui.rate_section(specialties, "reviewer_specialty", "Overturn rate by primary specialty", "specialties", PAGE,
                    filters)

    cells = data.with_rates(ui.query("reviewers_specialty_category", filters))
    if not cells.is_empty():
        ui.chart(charts.heatmap(cells, "service_category", "reviewer_specialty",
                                "Decisions by specialty and service category"))
    ui.table(cells.select("reviewer_specialty", "service_category", "decisions", "overturned", "rate_label"),
             "specialty-by-category", PAGE, filters)

    st.subheader("California licence")
    licence = data.with_rates(ui.query("reviewers_licence", filters))
    ui.rate_section(licence, "reviewer_ca_licence", "Overturn rate by reviewer licence", "licence", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
