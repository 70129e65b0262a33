-- Question: which specialties review which service categories, and with what outcome?
-- (reviewers_specialty_category.sql without filters, from mart_reviewer_groups.)
-- Grain: one row per primary reviewer specialty and service category (a heatmap cell).
-- Parameters: none.
SELECT
    reviewer_specialty,
    CAST(service_category AS VARCHAR) AS service_category,
    CAST(sum(decisions) AS BIGINT)    AS decisions,
    CAST(sum(overturned) AS BIGINT)   AS overturned
FROM mart_reviewer_groups
GROUP BY reviewer_specialty, service_category
ORDER BY reviewer_specialty, service_category
