-- Question: how do outcomes differ by the reviewer's primary specialty and California licence, by service
-- category? (reviewers_groups.sql without filters: the mart holds exactly these groups.)
-- Grain: as reviewers_groups.sql.
-- Parameters: none.
SELECT reviewer_specialty, CAST(service_category AS VARCHAR) AS service_category, reviewer_ca_licence,
       decisions, overturned
FROM mart_reviewer_groups
ORDER BY ALL
