-- Question: what did the IMR reviewer cite against what the claims administrator cited, and did the two
-- cite the same sources? (guidelines_agreement.sql without filters, from mart_guideline_groups.)
-- Grain: one row per IMR guideline group and claims administrator guideline group.
-- Parameters: none.
SELECT
    imr_guideline_group,
    ca_guideline_group,
    CAST(sum(decisions) AS BIGINT)                                                  AS decisions,
    CAST(sum(overturned) AS BIGINT)                                                 AS overturned,
    CAST(coalesce(sum(decisions) FILTER (WHERE same_sources_as_ca), 0) AS BIGINT)   AS same_sources
FROM mart_guideline_groups
GROUP BY imr_guideline_group, ca_guideline_group
ORDER BY imr_guideline_group, ca_guideline_group
