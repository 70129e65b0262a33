-- Question: which guideline sources did each side cite (MTUS, ODG, ACOEM, other, nothing), and
-- how often were the decisions citing each overturned?
-- Grain: one row per side (IMR reviewer, claims administrator) and source; a decision citing
-- two sources counts under both, so a side's rows can add up to more than its decisions.
-- Parameters: the shared filters.
-- Speed: grouping on the one-string source keys (decision_facts.imr_source_key, 'MTUS,ODG' or
-- 'nothing cited') is several times faster than reading the source lists; the few combinations
-- are then split into one row per source.
WITH combos AS (
    SELECT imr_source_key AS imr, ca_source_key AS ca, count(*) AS decisions, sum(overturned) AS overturned
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
