-- Question: which MTUS part did the IMR reviewer cite first, and how often was each overturned?
-- Grain: one row per MTUS part ('part not stated' when MTUS was cited without one).
-- Parameters: the shared filters.
SELECT
    coalesce(imr_mtus_chapter, 'part not stated') AS mtus_part,
    count(*)                                      AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
-- The group says whether MTUS was cited; comparing it is cheaper than searching the list.
WHERE imr_guideline_group IN ('MTUS only', 'MTUS + non-MTUS')
GROUP BY mtus_part
ORDER BY decisions DESC, mtus_part
