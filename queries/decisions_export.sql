-- Question: which decisions match the filters, with every field a spreadsheet user needs?
-- Grain: one row per decision (all that match; the "filtered decisions" CSV and Excel), by decision
-- date, then letter, then item (undated last).
-- Parameters: the shared filters.
-- No ORDER BY: decision_facts is stored in that order (etl/db.py) and DuckDB keeps a table's order
-- without one (preserve_insertion_order), so the rows stream out batch by batch. A sort would first
-- gather every matching row, hundreds of MB at a million letters.
SELECT
    case_number, decision_date, item_no, treatment,
    CAST(outcome AS VARCHAR)             AS outcome,
    CAST(service_category AS VARCHAR)    AS service_category,
    CAST(service_subcategory AS VARCHAR) AS service_subcategory,
    drug_class, drug_generic, strength, quantity,
    CAST(ur_action AS VARCHAR)           AS ur_action,
    ur_authorized, ur_authorized_quantity, share_cut,
    array_to_string(imr_sources, ', ')   AS imr_sources,
    imr_mtus_chapter, imr_guideline_group,
    array_to_string(ca_sources, ', ')    AS ca_sources,
    ca_guideline_group,
    reviewer_specialty, reviewer_ca_licence,
    array_to_string(reviewer_license_states, ', ') AS reviewer_license_states,
    patient_age, age_band, patient_sex,
    date_assigned, days_to_decision, CAST(priority AS VARCHAR) AS priority,
    letter_outcome,
    array_to_string(reason_codes, ', ') AS reason_codes
FROM filtered
