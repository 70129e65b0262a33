-- Question: how do outcomes differ by the reviewer's primary specialty and California licence, and which
-- specialties review which service categories? The page's three views come from these groups: one pass
-- over the filtered decisions, not three (dashboard/reviewers.py).
-- Grain: one row per primary reviewer specialty, service category and licence status.
-- Parameters: the shared filters.
SELECT
    reviewer_specialty,
    CAST(service_category AS VARCHAR) AS service_category,
    reviewer_ca_licence,
    count(*)                          AS decisions,
    CAST(sum(overturned) AS BIGINT)   AS overturned
FROM filtered
GROUP BY ALL
ORDER BY ALL
