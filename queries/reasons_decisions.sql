-- Question: which upheld decisions gave which reason, and in what words (the evidence span)?
-- Grain: one row per filtered upheld decision and reason code, newest decisions first.
-- Parameters: the shared filters (see filtered_decisions.sql); $limit (INTEGER, rows at most).
-- The evidence is the letter's own text: the page shows it as text, never as Markdown.
SELECT
    f.case_number, f.item_no, f.decision_date, f.treatment, CAST(f.service_category AS VARCHAR) AS service_category,
    f.reviewer_specialty, CAST(r.code AS VARCHAR) AS code, r.evidence
FROM filtered f
JOIN decision_reasons r ON r.letter_id = f.letter_id AND r.item_no = f.item_no
WHERE f.outcome = 'upheld'
ORDER BY f.decision_date DESC NULLS LAST, f.case_number, f.item_no, r.code
LIMIT $limit
