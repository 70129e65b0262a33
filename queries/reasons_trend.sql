-- Question: the share of upheld decisions giving each reason, by year of decision.
-- Grain: one row per decision year and reason code, every code given in the filtered upheld decisions
--   crossed with every decision year (giving = 0 where none gives it, so every line has every year).
--   `decisions`: the group's upheld decisions whose reasons were read; `giving`: those giving the code.
-- Parameters: the shared filters (see filtered_decisions.sql).
WITH upheld AS MATERIALIZED (
    SELECT decision_year, reason_codes
    FROM filtered
    WHERE outcome = 'upheld' AND len(reason_codes) > 0 AND decision_year IS NOT NULL
), groups AS (
    SELECT decision_year, count(*) AS decisions FROM upheld GROUP BY decision_year
), codes AS (
    SELECT DISTINCT unnest(reason_codes) AS code FROM upheld
), given AS (
    SELECT decision_year, code, count(*) AS giving
    FROM (SELECT decision_year, unnest(reason_codes) AS code FROM upheld)
    GROUP BY decision_year, code
)
SELECT groups.decision_year, codes.code, groups.decisions, coalesce(given.giving, 0) AS giving
FROM groups
CROSS JOIN codes
LEFT JOIN given ON given.decision_year = groups.decision_year AND given.code = codes.code
