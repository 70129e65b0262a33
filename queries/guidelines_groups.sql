-- Question: what did each side cite, and how often were the decisions overturned? The page's three views
-- (sources by side, MTUS parts, agreement between the sides) all come from these groups: one pass over the
-- filtered decisions, not three (dashboard/guidelines.py).
-- Grain: one row per combination of the IMR reviewer's and the claims administrator's source keys
-- ('MTUS,ODG' or 'nothing cited'), guideline groups, the MTUS part the IMR reviewer cited first, and
-- whether both cited the same sources.
-- Parameters: the shared filters.
SELECT
    imr_source_key, ca_source_key, imr_guideline_group, ca_guideline_group, imr_mtus_chapter, same_sources_as_ca,
    count(*)                        AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
GROUP BY ALL
ORDER BY ALL
