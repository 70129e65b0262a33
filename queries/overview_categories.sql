-- Question: what is the mix of service categories, and how often is each overturned?
-- Grain: one row per service category.
-- Parameters: the shared filters.
SELECT
    CAST(service_category AS VARCHAR) AS service_category,
    count(*)                          AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
GROUP BY service_category
ORDER BY decisions DESC, service_category
