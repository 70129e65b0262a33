-- Question: which guideline sources did each side cite, and how often were the decisions citing each
-- overturned? (guidelines_sources.sql without filters, from mart_guideline_groups.)
-- Grain: one row per side (IMR reviewer, claims administrator) and source.
-- Parameters: none.
WITH combos AS (
    SELECT imr_source_key AS imr, ca_source_key AS ca, sum(decisions) AS decisions, sum(overturned) AS overturned
    FROM mart_guideline_groups
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
