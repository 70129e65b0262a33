-- Question: how many decisions per month, and how many were overturned? (overview_trend.sql without
-- filters, from mart_decision_months.)
-- Grain: one row per month with decisions (its first day).
-- Parameters: none.
SELECT
    decision_month                         AS month,
    CAST(sum(decisions) AS BIGINT)         AS decisions,
    CAST(sum(overturned) AS BIGINT)        AS overturned
FROM mart_decision_months
WHERE decision_month IS NOT NULL
GROUP BY decision_month
ORDER BY month
