-- Question: per drug class and month, how many decisions and how many overturned? The page's classes
-- (summed over the months) and their trend (rolled up to quarters or years: dashboard/periods.py) both
-- come from it: one pass over the filtered decisions, not two (dashboard/medications.py).
-- Grain: one row per drug class and month with decisions (its first day; NULL for undated decisions),
-- Pharmaceuticals only.
-- Parameters: the shared filters.
SELECT
    drug_class,
    decision_month                  AS month,
    count(*)                        AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
WHERE drug_class IS NOT NULL
GROUP BY drug_class, decision_month
ORDER BY drug_class, month NULLS LAST
