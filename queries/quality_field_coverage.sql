-- Question: how often did the parser find each field?
-- Grain: one row per field (letter fields over letters, decision fields over decisions).
-- Parameters: none.
WITH letter_counts AS (
    SELECT
        count(*)                                             AS total,
        count(case_number)                                   AS case_number,
        count(decision_date)                                 AS decision_date,
        count(date_assigned)                                 AS date_assigned,
        count(date_of_injury)                                AS date_of_injury,
        count(ur_denial_date)                                AS ur_denial_date,
        count(application_received)                          AS application_received,
        count(priority)                                      AS priority,
        count(*) FILTER (WHERE len(reviewer_license_states) > 0) AS reviewer_license_states,
        count(*) FILTER (WHERE len(reviewer_specialties) > 0)    AS reviewer_specialties,
        count(patient_age)                                   AS patient_age,
        count(patient_sex)                                   AS patient_sex
    FROM letters
), decision_counts AS (
    SELECT
        count(*)                                             AS total,
        count(service_subcategory)                           AS service_subcategory,
        count(drug_generic) FILTER (WHERE service_category = 'Pharmaceuticals')      AS drug_generic,
        count(strength) FILTER (WHERE service_category = 'Pharmaceuticals')          AS strength,
        count(quantity)                                      AS quantity,
        count(ur_authorized_quantity) FILTER (WHERE ur_action = 'modified')          AS ur_authorized_quantity,
        texts.ca_guideline_text,
        texts.imr_guideline_text,
        count(*) FILTER (WHERE service_category = 'Pharmaceuticals')                 AS drugs,
        count(*) FILTER (WHERE ur_action = 'modified')                               AS modified
    FROM decisions
    -- the texts sit in their own table, one row per decision: counted apart, no join
    CROSS JOIN (SELECT count(ca_guideline_text) AS ca_guideline_text, count(imr_guideline_text) AS imr_guideline_text
                FROM decision_texts) texts
    GROUP BY texts.ca_guideline_text, texts.imr_guideline_text
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
