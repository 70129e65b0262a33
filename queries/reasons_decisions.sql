-- Question: which upheld decisions gave which reason, and in what words (the evidence span)?
-- Grain: one row per filtered upheld decision and reason code, newest decisions first.
-- Parameters: the shared filters (see filtered_decisions.sql); $limit (INTEGER, rows at most).
-- The evidence is the letter's own text: the page shows it as text, never as Markdown.
-- Only the newest $limit upheld decisions giving a reason can hold the newest $limit reasons (each gives
-- at least one): they are picked first, so the reasons of the others are never joined.
WITH newest AS (
    SELECT letter_id, case_number, item_no, decision_date, treatment, service_category, reviewer_specialty
    FROM filtered
    WHERE outcome = 'upheld' AND len(reason_codes) > 0
    ORDER BY decision_date DESC NULLS LAST, case_number, item_no
    LIMIT $limit
)
SELECT
    f.case_number, f.item_no, f.decision_date, f.treatment, CAST(f.service_category AS VARCHAR) AS service_category,
    f.reviewer_specialty, CAST(r.code AS VARCHAR) AS code, r.evidence
FROM newest f
JOIN decision_reasons r ON r.letter_id = f.letter_id AND r.item_no = f.item_no
ORDER BY f.decision_date DESC NULLS LAST, f.case_number, f.item_no, r.code
LIMIT $limit
