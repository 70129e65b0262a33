-- Question: how do outcomes differ by the reviewer's primary specialty? (reviewers_specialty.sql without
-- filters, from mart_reviewer_groups.)
-- Grain: one row per primary reviewer specialty.
-- Parameters: none.
SELECT
    reviewer_specialty,
    CAST(sum(decisions) AS BIGINT)  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM mart_reviewer_groups
GROUP BY reviewer_specialty
ORDER BY decisions DESC, reviewer_specialty
