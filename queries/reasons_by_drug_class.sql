-- Question: the share of upheld decisions giving each reason, by drug class (pharmaceutical decisions).
-- Grain: one row per drug class and reason code, every code given in the filtered upheld decisions
--   crossed with every drug class (giving = 0 where none gives it, so a heatmap has every cell).
--   `decisions`: the group's upheld decisions whose reasons were read; `giving`: those giving the code.
-- Parameters: the shared filters (see filtered_decisions.sql).
WITH upheld AS MATERIALIZED (
    SELECT drug_class, reason_codes
    FROM filtered
    WHERE outcome = 'upheld' AND len(reason_codes) > 0 AND drug_class IS NOT NULL
), groups AS (
    SELECT drug_class, count(*) AS decisions FROM upheld GROUP BY drug_class
), codes AS (
    SELECT DISTINCT unnest(reason_codes) AS code FROM upheld
), given AS (
    SELECT drug_class, code, count(*) AS giving
    FROM (SELECT drug_class, unnest(reason_codes) AS code FROM upheld)
    GROUP BY drug_class, code
)
SELECT groups.drug_class, codes.code, groups.decisions, coalesce(given.giving, 0) AS giving
FROM groups
CROSS JOIN codes
LEFT JOIN given ON given.drug_class = groups.drug_class AND given.code = codes.code
