-- Question: the share of upheld decisions giving each reason, over all and by service category, drug
-- class (pharmaceutical decisions), the reviewer's primary specialty and year of decision.
-- Grain: one row per dimension ('all', 'service_category', 'drug_class', 'reviewer_specialty',
--   'decision_year'), group of it ("group" as text; 'all' has the one group 'all') and reason code: every
--   code given in the dimension's filtered upheld decisions crossed with every group (giving = 0 where none
--   gives it, so a heatmap has every cell and every line every year). `decisions`: the group's upheld
--   decisions whose reasons were read; `giving`: those giving the code. A decision may give several codes.
-- Parameters: the shared filters (see filtered_decisions.sql).
-- One pass for the page's four views: the filter is read once, not once per view (dashboard/reasons.py
-- breakdown() takes one view out).
WITH upheld AS MATERIALIZED (
    SELECT CAST(service_category AS VARCHAR) AS service_category, drug_class, reviewer_specialty,
           CAST(decision_year AS VARCHAR) AS decision_year, reason_codes
    FROM filtered
    WHERE outcome = 'upheld' AND len(reason_codes) > 0
), groups AS (
    SELECT
        CASE grouping(service_category, drug_class, reviewer_specialty, decision_year)
            WHEN 15 THEN 'all' WHEN 7 THEN 'service_category' WHEN 11 THEN 'drug_class'
            WHEN 13 THEN 'reviewer_specialty' ELSE 'decision_year' END AS dimension,
        coalesce(service_category, drug_class, reviewer_specialty, decision_year, 'all') AS "group",
        count(*) AS decisions
    FROM upheld
    GROUP BY GROUPING SETS ((), (service_category), (drug_class), (reviewer_specialty), (decision_year))
    -- no drug class outside Pharmaceuticals, no year on an undated letter: no group of their own
    HAVING NOT (grouping(drug_class) = 0 AND drug_class IS NULL)
       AND NOT (grouping(decision_year) = 0 AND decision_year IS NULL)
), given AS (
    SELECT
        CASE grouping(service_category, drug_class, reviewer_specialty, decision_year)
            WHEN 15 THEN 'all' WHEN 7 THEN 'service_category' WHEN 11 THEN 'drug_class'
            WHEN 13 THEN 'reviewer_specialty' ELSE 'decision_year' END AS dimension,
        coalesce(service_category, drug_class, reviewer_specialty, decision_year, 'all') AS "group",
        code,
        count(*) AS giving
    FROM (SELECT * EXCLUDE (reason_codes), unnest(reason_codes) AS code FROM upheld)
    GROUP BY GROUPING SETS ((code), (service_category, code), (drug_class, code), (reviewer_specialty, code),
                            (decision_year, code))
    HAVING NOT (grouping(drug_class) = 0 AND drug_class IS NULL)
       AND NOT (grouping(decision_year) = 0 AND decision_year IS NULL)
), codes AS (
    SELECT DISTINCT dimension, code FROM given
)
SELECT groups.dimension, groups."group", codes.code, groups.decisions, coalesce(given.giving, 0) AS giving
FROM groups
JOIN codes USING (dimension)
LEFT JOIN given
       ON given.dimension = groups.dimension AND given."group" = groups."group" AND given.code = codes.code
ORDER BY groups.dimension, groups."group", codes.code
