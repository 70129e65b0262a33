-- Question: per drug class and month, how many decisions and how many overturned?
-- (medications_class_months.sql without filters, from mart_decision_months.)
-- Grain: one row per drug class and month with decisions (NULL for undated decisions).
-- Parameters: none.
SELECT
    drug_class,
    decision_month                  AS month,
    CAST(sum(decisions) AS BIGINT)  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM mart_decision_months
WHERE drug_class IS NOT NULL
GROUP BY drug_class, decision_month
ORDER BY drug_class, month NULLS LAST
