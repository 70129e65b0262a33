"""Medications: which drug classes and drugs are disputed, how often IMR overturns UR on them, and how
that moves. Clicking a class narrows to its drugs; clicking a drug leads to its letters."""

import polars as pl
import streamlit as st

from dashboard import charts, data, medications, sections, ui

PAGE = "medications"
TOP_DRUGS = 25
TREND_CLASSES = 5
STRENGTHS = 100


def render() -> None:
    filters = ui.page_header(
        "Medications", "Which drugs are disputed, how often IMR overturns UR on them, and how that moves."
    )
    class_months = ui.query("medications_class_months", filters)
    classes = data.with_rates(medications.by_class(class_months))
    drug_groups = ui.query("medications_drugs", filters)  # the top drugs and the strengths, in one pass
    drugs = data.with_rates(medications.top_drugs(drug_groups, TOP_DRUGS))
    if classes.is_empty():
        st.info("No pharmaceutical decisions match the filters.")
    judged = classes.filter("enough_to_judge")
    busiest = classes.row(0, named=True) if classes.height else None
    highest = judged.sort("overturn_rate", descending=True).row(0, named=True) if judged.height else None
    pharma = {"decisions": classes["decisions"].sum(), "overturned": classes["overturned"].sum()}
    pharma_rates = data.with_rates(pl.DataFrame([pharma])).row(0, named=True)
    sections.headlines(
        ("Drug decisions", f"{pharma['decisions']:,}", "Decisions on pharmaceuticals under the filters"),
        ("Overturn rate on drugs", sections.rate_text(pharma_rates), pharma_rates["rate_label"]),
        ("Most disputed class", busiest["drug_class"] if busiest else "none",
         f"{busiest['decisions']:,} decisions" if busiest else None),
    )
    if highest:
        st.markdown(f"**Highest overturn rate** among classes with at least {data.MIN_N} decisions: "
                    f"{highest['drug_class']}, {highest['rate_label']}.")
    ui.rate_note()

    if not classes.is_empty():
        left, right = st.columns(2)
        with left:
            sections.rate_chart(classes, "drug_class", "Overturn rate by drug class",
                                overall=sections.overall_rate(classes), drill="drug_classes")
        with right:
            sections.drill_chart(
                charts.volume_bars(classes, "drug_class", "Decisions by drug class",
                                   order=charts.rank_order(classes, "drug_class"), clickable=True),
                "pick-drug-class-volume", {"drug_class": "drug_classes"})
        sections.click_hint("drug class to see its drugs")

    st.subheader(f"The {TOP_DRUGS} most disputed drugs")
    sections.rate_chart(drugs, "drug_generic", f"Overturn rate of the {TOP_DRUGS} most disputed drugs",
                        overall=sections.overall_rate(drugs), drill="drugs")
    if not drugs.is_empty():
        sections.click_hint("drug to filter to it")
        if filters.drugs:
            sections.letters_link(filters)
    sections.rate_table(drugs, ("drug_generic", "drug_class"), "top-drugs", PAGE, filters)

    st.subheader("Drug classes over time")
    busiest_classes = classes["drug_class"].head(TREND_CLASSES).to_list()
    monthly = medications.class_trend(class_months).filter(pl.col("drug_class").is_in(busiest_classes))
    st.caption(f"The {len(busiest_classes)} busiest classes; the table below the charts lists them, the class "
               "table at the bottom every class.")
    sections.trend_section(monthly, "Busiest drug classes", "drug-class-trend", PAGE, filters, by="drug_class",
                           color_order=busiest_classes)

    st.subheader("Drug classes")
    sections.rate_table(classes, ("drug_class",), "drug-classes", PAGE, filters)

    st.subheader("Strengths and quantities requested")
    strengths = data.with_rates(medications.strengths(drug_groups, STRENGTHS))
    ui.table(strengths.select("drug_generic", "strength", "decisions", "min_quantity", "median_quantity",
                              "max_quantity", "overturned", "rate_label"),
             "strengths-and-quantities", PAGE, filters)
    ui.decisions_download(PAGE, filters)


render()
