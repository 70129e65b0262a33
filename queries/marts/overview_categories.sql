-- Question: what is the mix of service categories, and how often is each overturned? (overview_categories.sql
-- without filters, from mart_decision_months.)
-- Grain: one row per service category.
-- Parameters: none.
SELECT
    CAST(service_category AS VARCHAR) AS service_category,
    CAST(sum(decisions) AS BIGINT)    AS decisions,
    CAST(sum(overturned) AS BIGINT)   AS overturned
FROM mart_decision_months
GROUP BY service_category
ORDER BY decisions DESC, service_category
