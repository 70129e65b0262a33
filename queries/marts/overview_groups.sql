-- Question: how many decisions per month and service category, and how many were overturned?
-- (overview_groups.sql without filters, from mart_decision_months.)
-- Grain: as overview_groups.sql.
-- Parameters: none.
SELECT
    decision_month                    AS month,
    CAST(service_category AS VARCHAR) AS service_category,
    CAST(sum(decisions) AS BIGINT)    AS decisions,
    CAST(sum(overturned) AS BIGINT)   AS overturned
FROM mart_decision_months
GROUP BY decision_month, service_category
ORDER BY ALL
