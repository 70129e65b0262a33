-- Question: the share of upheld decisions giving each reason, by the reviewer's primary specialty.
-- Grain: one row per primary reviewer specialty and reason code, every code given in the filtered upheld decisions
--   crossed with every primary reviewer specialty (giving = 0 where none gives it, so a heatmap has every cell).
--   `decisions`: the group's upheld decisions whose reasons were read; `giving`: those giving the code.
-- Parameters: the shared filters (see filtered_decisions.sql).
WITH upheld AS MATERIALIZED (
    SELECT reviewer_specialty, reason_codes
    FROM filtered
    WHERE outcome = 'upheld' AND len(reason_codes) > 0
), groups AS (
    SELECT reviewer_specialty, count(*) AS decisions FROM upheld GROUP BY reviewer_specialty
), codes AS (
    SELECT DISTINCT unnest(reason_codes) AS code FROM upheld
), given AS (
    SELECT reviewer_specialty, code, count(*) AS giving
    FROM (SELECT reviewer_specialty, unnest(reason_codes) AS code FROM upheld)
    GROUP BY reviewer_specialty, code
)
SELECT groups.reviewer_specialty, codes.code, groups.decisions, coalesce(given.giving, 0) AS giving
FROM groups
CROSS JOIN codes
LEFT JOIN given ON given.reviewer_specialty = groups.reviewer_specialty AND given.code = codes.code
