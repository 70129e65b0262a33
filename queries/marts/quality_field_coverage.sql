-- Question: how often did the parser find each field? (quality_field_coverage.sql, answered from the
-- per-load counts in mart_field_counts instead of reading every letter, decision and decision text.)
-- Grain: one row per field (letter fields over letters, decision fields over decisions).
-- Parameters: none.
WITH sums AS (
    SELECT CAST(coalesce(sum(COLUMNS(* EXCLUDE (first_letter_id))), 0) AS BIGINT) FROM mart_field_counts
), letter_counts AS (
    SELECT letters AS total, case_number, decision_date, date_assigned, date_of_injury, ur_denial_date,
           application_received, priority, reviewer_license_states, reviewer_specialties, patient_age, patient_sex
    FROM sums
), decision_counts AS (
    SELECT decisions AS total, service_subcategory, drug_generic, strength, quantity, ur_authorized_quantity,
           ca_guideline_text, imr_guideline_text, drugs, modified
    FROM sums
)
SELECT 'letter' AS level, field, found, out_of, found / nullif(out_of, 0) AS share_found
FROM (
    UNPIVOT (SELECT * EXCLUDE (total), total AS out_of FROM letter_counts)
    ON COLUMNS(* EXCLUDE (out_of)) INTO NAME field VALUE found
)
UNION ALL
SELECT 'decision', field, found,
       CASE field WHEN 'drug_generic' THEN drugs WHEN 'strength' THEN drugs
                  WHEN 'ur_authorized_quantity' THEN modified ELSE total END,
       found / nullif(CASE field WHEN 'drug_generic' THEN drugs WHEN 'strength' THEN drugs
                  WHEN 'ur_authorized_quantity' THEN modified ELSE total END, 0)
FROM (
    UNPIVOT (SELECT * FROM decision_counts)
    ON COLUMNS(* EXCLUDE (total, drugs, modified)) INTO NAME field VALUE found
)
ORDER BY level DESC, share_found, field
