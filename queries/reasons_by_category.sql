-- Question: the share of upheld decisions giving each reason, by service category.
-- Grain: one row per service category and reason code, every code given in the filtered upheld decisions
--   crossed with every service category (giving = 0 where none gives it, so a heatmap has every cell).
--   `decisions`: the group's upheld decisions whose reasons were read; `giving`: those giving the code.
-- Parameters: the shared filters (see filtered_decisions.sql).
WITH upheld AS MATERIALIZED (
    SELECT CAST(service_category AS VARCHAR) AS service_category, reason_codes
    FROM filtered
    WHERE outcome = 'upheld' AND len(reason_codes) > 0
), groups AS (
    SELECT service_category, count(*) AS decisions FROM upheld GROUP BY service_category
), codes AS (
    SELECT DISTINCT unnest(reason_codes) AS code FROM upheld
), given AS (
    SELECT service_category, code, count(*) AS giving
    FROM (SELECT service_category, unnest(reason_codes) AS code FROM upheld)
    GROUP BY service_category, code
)
SELECT groups.service_category, codes.code, groups.decisions, coalesce(given.giving, 0) AS giving
FROM groups
CROSS JOIN codes
LEFT JOIN given ON given.service_category = groups.service_category AND given.code = codes.code
