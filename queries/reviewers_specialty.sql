-- Question: how do outcomes differ by the reviewer's primary specialty?
-- Grain: one row per primary reviewer specialty.
-- Parameters: the shared filters.
SELECT
    reviewer_specialty,
    count(*)                  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
GROUP BY reviewer_specialty
ORDER BY decisions DESC, reviewer_specialty
