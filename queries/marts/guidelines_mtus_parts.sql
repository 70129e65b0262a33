-- Question: which MTUS part did the IMR reviewer cite first, and how often was each overturned?
-- (guidelines_mtus_parts.sql without filters, from mart_guideline_groups.)
-- Grain: one row per MTUS part ('part not stated' when MTUS was cited without one).
-- Parameters: none.
SELECT
    coalesce(imr_mtus_chapter, 'part not stated') AS mtus_part,
    CAST(sum(decisions) AS BIGINT)                AS decisions,
    CAST(sum(overturned) AS BIGINT)               AS overturned
FROM mart_guideline_groups
WHERE imr_guideline_group IN ('MTUS only', 'MTUS + non-MTUS')
GROUP BY mtus_part
ORDER BY decisions DESC, mtus_part
