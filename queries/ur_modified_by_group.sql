-- Question: for requests UR modified, how much did UR cut (requested against authorized
-- quantity) and how did IMR rule on the rest, by drug class (drugs) or service category?
-- Grain: one row per group: the drug class for Pharmaceuticals, else the service category.
-- Parameters: the shared filters.
SELECT
    coalesce(drug_class, CAST(service_category AS VARCHAR))   AS request_group,
    count(*)                                                  AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned,
    count(share_cut)                                          AS with_quantities,
    CAST(sum(quantity) FILTER (WHERE share_cut IS NOT NULL) AS BIGINT) AS requested_quantity,
    CAST(sum(ur_authorized_quantity) FILTER (WHERE share_cut IS NOT NULL) AS BIGINT) AS authorized_quantity,
    CAST(median(share_cut) AS DOUBLE)                         AS median_share_cut
FROM filtered
WHERE ur_action = 'modified'
GROUP BY request_group
ORDER BY decisions DESC, request_group
