-- Question: how does each drug class's volume and overturn count move over time? (The page rolls
-- months up to quarters or years: dashboard/periods.py.)
-- Grain: one row per drug class and month with decisions (its first day).
-- Parameters: the shared filters.
SELECT
    drug_class,
    decision_month                  AS month,
    count(*)                        AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
WHERE drug_class IS NOT NULL AND decision_month IS NOT NULL
GROUP BY drug_class, decision_month
ORDER BY drug_class, month
