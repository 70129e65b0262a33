-- Question: do reviewers licensed in California rule differently from the others? (reviewers_licence.sql
-- without filters, from mart_reviewer_groups.)
-- Grain: one row per licence status ('California', 'other states only', 'unknown').
-- Parameters: none.
SELECT
    reviewer_ca_licence,
    CAST(sum(decisions) AS BIGINT)  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM mart_reviewer_groups
GROUP BY reviewer_ca_licence
ORDER BY decisions DESC, reviewer_ca_licence
