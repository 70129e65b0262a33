-- Question: for requests UR modified, how much did UR cut (the share of the requested quantity
-- not authorized) and how did IMR rule on the rest, by drug class (drugs) or service category?
-- Grain: one row per group: the drug class for Pharmaceuticals, else the service category.
-- Parameters: the shared filters.
-- Quantities are not summed: a group mixes tablets, sessions and grams. The share cut is taken
-- per request (where both quantities are known), then its median per group.
SELECT
    coalesce(drug_class, CAST(service_category AS VARCHAR))   AS request_group,
    count(*)                                                  AS decisions,
    CAST(sum(overturned) AS BIGINT)                           AS overturned,
    count(share_cut)                                          AS with_quantities,
    CAST(median(share_cut) AS DOUBLE)                         AS median_share_cut
FROM filtered
WHERE ur_action = 'modified'
GROUP BY request_group
ORDER BY decisions DESC, request_group
