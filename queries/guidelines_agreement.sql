-- Question: what did the IMR reviewer cite against what the claims administrator cited, and
-- did the two cite the same sources?
-- Grain: one row per IMR guideline group and claims administrator guideline group
-- ('MTUS only', 'MTUS + non-MTUS', 'non-MTUS only', 'nothing cited').
-- Parameters: the shared filters.
SELECT
    imr_guideline_group,
    ca_guideline_group,
    count(*)                                         AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned,
    count(*) FILTER (WHERE same_sources_as_ca)       AS same_sources
FROM filtered
GROUP BY imr_guideline_group, ca_guideline_group
ORDER BY imr_guideline_group, ca_guideline_group
