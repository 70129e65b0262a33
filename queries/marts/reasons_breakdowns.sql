-- Question: the share of upheld decisions giving each reason, over all and by service category, drug
-- class, the reviewer's primary specialty and year of decision (reasons_breakdowns.sql without filters,
-- from mart_reason_counts).
-- Grain: as reasons_breakdowns.sql: one row per dimension, group and reason code, zero-filled.
-- Parameters: none.
WITH groups AS (
    SELECT dimension, group_name AS "group", decisions FROM mart_reason_counts WHERE code IS NULL
), given AS (
    SELECT dimension, group_name AS "group", code, decisions AS giving FROM mart_reason_counts WHERE code IS NOT NULL
), codes AS (
    SELECT DISTINCT dimension, code FROM given
)
SELECT groups.dimension, groups."group", codes.code, groups.decisions, coalesce(given.giving, 0) AS giving
FROM groups
JOIN codes USING (dimension)
LEFT JOIN given
       ON given.dimension = groups.dimension AND given."group" = groups."group" AND given.code = codes.code
ORDER BY groups.dimension, groups."group", codes.code
