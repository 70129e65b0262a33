-- Question: how many decisions per month, and how many were overturned? (The page rolls months up
-- to quarters or years and fills the months without decisions: dashboard/periods.py.)
-- Grain: one row per month with decisions (its first day).
-- Parameters: the shared filters.
SELECT
    decision_month                  AS month,
    count(*)                        AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
WHERE decision_month IS NOT NULL
GROUP BY decision_month
ORDER BY month
