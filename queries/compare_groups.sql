-- Question: for the decisions the filters select, how many were there and how many overturned,
-- in all and by service category, drug class, UR action and what the IMR reviewer cited? A
-- comparison runs it once per side (two periods; or the filtered set and everything, the rest
-- being their difference).
-- Grain: one row per dimension and group ('All decisions' has the one group 'all').
-- Parameters: the shared filters.
-- One pass with grouping sets rather than one scan per dimension.
SELECT
    CASE grouping(service_category, drug_class, ur_action, imr_guideline_group)
        WHEN 15 THEN 'All decisions'
        WHEN 7 THEN 'Service category'
        WHEN 11 THEN 'Drug class'
        WHEN 13 THEN 'UR action'
        ELSE 'IMR reviewer cited'
    END AS dimension,
    coalesce(CAST(service_category AS VARCHAR), drug_class, CAST(ur_action AS VARCHAR), imr_guideline_group,
             'all') AS "group",
    count(*)                        AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
GROUP BY GROUPING SETS ((), (service_category), (drug_class), (ur_action), (imr_guideline_group))
-- the drug class is NULL outside Pharmaceuticals: that is no group of its own
HAVING NOT (grouping(drug_class) = 0 AND drug_class IS NULL)
ORDER BY dimension, decisions DESC, "group"
