-- Question: how does each drug class's volume and overturn count move over time? (medications_class_trend.sql
-- without filters, from mart_decision_months.)
-- Grain: one row per drug class and month with decisions (its first day).
-- Parameters: none.
SELECT
    drug_class,
    decision_month                  AS month,
    CAST(sum(decisions) AS BIGINT)  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM mart_decision_months
WHERE drug_class IS NOT NULL AND decision_month IS NOT NULL
GROUP BY drug_class, decision_month
ORDER BY drug_class, month
