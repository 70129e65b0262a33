"""Reviewers: outcomes by primary specialty, specialty by service category, California licence."""

import streamlit as st

from dashboard import charts, data, reviewers, sections, ui

PAGE = "reviewers"


def render() -> None:
    filters = ui.page_header("Reviewers", "Who reviewed the disputes, and whether their outcomes differ.")
    groups = ui.query("reviewers_groups", filters)  # every view's counts, in one pass
    specialties = data.with_rates(reviewers.by_specialty(groups))
    licence = data.with_rates(reviewers.by_licence(groups))
    judged = specialties.filter("enough_to_judge").sort("overturn_rate", descending=True)
    california = licence.filter(reviewer_ca_licence="California")
    sections.headlines(
        ("Highest overturn rate", judged["reviewer_specialty"][0] if judged.height else "none judged",
         judged["rate_label"][0] if judged.height else None),
        ("Lowest overturn rate", judged["reviewer_specialty"][-1] if judged.height else "none judged",
         judged["rate_label"][-1] if judged.height else None),
        ("Licensed in California", sections.rate_text(california.row(0, named=True)) if california.height else "none",
         f"Overturn rate of reviewers licensed in California: {california['rate_label'][0]}" if california.height
         else None),
    )
    st.caption(f"Highest and lowest among the {judged.height:,} of {specialties.height:,} specialties with at least "
               f"{data.MIN_N} decisions.")
    ui.rate_note()
    sections.rate_chart(specialties, "reviewer_specialty", "Overturn rate by primary specialty",
                        overall=sections.overall_rate(specialties), drill="specialties")
    sections.click_hint("specialty")
    sections.rate_table(specialties, ("reviewer_specialty",), "specialties", PAGE, filters)

    st.subheader("Which specialties review which services")
    cells = data.with_rates(reviewers.by_specialty_category(groups))
    if cells.is_empty():
        st.info("No decisions match the filters.")
    else:
        sections.drill_chart(
            charts.heatmap(cells, "service_category", "reviewer_specialty",
                           "Decisions by specialty (rows) and service category (columns)", clickable=True),
            "pick-specialty-category", {"reviewer_specialty": "specialties", "service_category": "categories"})
        sections.click_hint("cell to filter to that specialty and service category")
    ui.table(cells.sort("decisions", descending=True)
             .select("reviewer_specialty", "service_category", "decisions", "overturned", "rate_label"),
             "specialty-by-category", PAGE, filters)

    st.subheader("California licence")
    sections.rate_chart(licence, "reviewer_ca_licence", "Overturn rate by reviewer licence",
                        overall=sections.overall_rate(licence), drill="ca_licences")
    sections.rate_table(licence, ("reviewer_ca_licence",), "licence", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
