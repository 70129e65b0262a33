-- Question: why did the reviewer rule as it did on each item of one letter, in the rationale's own words?
-- Grain: one row per decision of the letter $letter_id and reason code, in letter order.
-- Parameters: $letter_id (INTEGER).
SELECT item_no, CAST(code AS VARCHAR) AS code, evidence
FROM decision_reasons
WHERE letter_id = $letter_id
ORDER BY item_no, code
