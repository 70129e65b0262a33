-- Question: per drug class, how many decisions and how many overturned? (medications_by_class.sql without
-- filters, from mart_decision_months.)
-- Grain: one row per drug class (Pharmaceuticals only).
-- Parameters: none.
SELECT
    drug_class,
    CAST(sum(decisions) AS BIGINT)  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM mart_decision_months
WHERE drug_class IS NOT NULL
GROUP BY drug_class
ORDER BY decisions DESC, drug_class
