-- Question: which decisions match the filters (newest first, for reading letter by letter)?
-- Grain: one row per decision; one page of $limit rows after the first $offset (the page pages
--   through all of them, the count coming from the filter sentence's totals).
-- Parameters: the shared filters; $limit, $offset (INTEGER).
SELECT
    letter_id, case_number, decision_date, item_no, treatment,
    CAST(outcome AS VARCHAR)          AS outcome,
    CAST(service_category AS VARCHAR) AS service_category,
    drug_class, drug_generic,
    CAST(ur_action AS VARCHAR)        AS ur_action,
    reviewer_specialty, reviewer_ca_licence, age_band, patient_sex
FROM filtered
ORDER BY decision_date DESC NULLS LAST, letter_id DESC, item_no
LIMIT $limit OFFSET $offset
