-- Question: how many decisions per month and service category, and how many were overturned? The
-- Overview's trend (months, rolled up to quarters or years: dashboard/periods.py) and its service
-- categories both come from it: one pass over the filtered decisions, not two (dashboard/overview.py).
-- Grain: one row per month (its first day; NULL for undated decisions) and service category with decisions.
-- Parameters: the shared filters.
SELECT
    decision_month                    AS month,
    CAST(service_category AS VARCHAR) AS service_category,
    count(*)                          AS decisions,
    CAST(sum(overturned) AS BIGINT)   AS overturned
FROM filtered
GROUP BY decision_month, service_category
ORDER BY ALL
