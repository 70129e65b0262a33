-- Question: which drugs and reviewer specialties can the filters offer (the data's own values)?
-- Grain: one row per filter and value, most frequent first.
-- Parameters: none.
SELECT 'drugs' AS filter, drug_generic AS value, count(*) AS decisions
FROM decision_facts WHERE drug_generic IS NOT NULL GROUP BY drug_generic
UNION ALL
SELECT 'specialties', reviewer_specialty, count(*)
FROM decision_facts GROUP BY reviewer_specialty
ORDER BY filter, decisions DESC, value
