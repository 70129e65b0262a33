-- Question: which specialties review which service categories, and with what outcome?
-- Grain: one row per primary reviewer specialty and service category (a heatmap cell).
-- Parameters: the shared filters.
SELECT
    reviewer_specialty,
    CAST(service_category AS VARCHAR) AS service_category,
    count(*)                          AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
GROUP BY reviewer_specialty, service_category
ORDER BY reviewer_specialty, service_category
