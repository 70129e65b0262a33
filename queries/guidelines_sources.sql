-- Question: which guideline sources did each side cite (MTUS, ODG, ACOEM, other, nothing), and
-- how often were the decisions citing each overturned?
-- Grain: one row per side (IMR reviewer, claims administrator) and source; a decision citing
-- two sources counts under both, so a side's rows can add up to more than its decisions.
-- Parameters: the shared filters.
-- Speed: reading the source lists of every decision is the slow part at a million letters, so
-- the two commonest cases come from the cheap guideline group ('MTUS only' cites just MTUS,
-- 'nothing cited' nothing), and only the rest spell their list out; the few combinations left
-- are then split into one row per source.
WITH combos AS (
    SELECT
        CASE imr_guideline_group WHEN 'MTUS only' THEN 'MTUS' WHEN 'nothing cited' THEN 'nothing cited'
             ELSE array_to_string(imr_sources, ',') END AS imr,
        CASE ca_guideline_group WHEN 'MTUS only' THEN 'MTUS' WHEN 'nothing cited' THEN 'nothing cited'
             ELSE array_to_string(ca_sources, ',') END AS ca,
        count(*)        AS decisions,
        sum(overturned) AS overturned
    FROM filtered
    GROUP BY imr, ca
), cited AS (
    SELECT 'IMR reviewer' AS side, unnest(string_split(imr, ',')) AS source, decisions, overturned FROM combos
    UNION ALL
    SELECT 'claims administrator', unnest(string_split(ca, ',')), decisions, overturned FROM combos
)
SELECT side, source, CAST(sum(decisions) AS BIGINT) AS decisions, CAST(sum(overturned) AS BIGINT) AS overturned
FROM cited
GROUP BY side, source
ORDER BY side DESC, decisions DESC, source
