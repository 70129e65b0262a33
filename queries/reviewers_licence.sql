-- Question: do reviewers licensed in California rule differently from the others?
-- Grain: one row per licence status ('California', 'other states only', 'unknown').
-- Parameters: the shared filters.
SELECT
    reviewer_ca_licence,
    count(*)                  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
GROUP BY reviewer_ca_licence
ORDER BY decisions DESC, reviewer_ca_licence
