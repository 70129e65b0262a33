-- Question: which strengths and quantities are requested for each drug?
-- Grain: one row per drug and strength as written (most frequent drug/strength pairs, $limit of them).
-- Parameters: the shared filters; $limit (INTEGER).
SELECT
    drug_generic,
    coalesce(strength, '(not stated)')     AS strength,
    count(*)                               AS decisions,
    count(quantity)                        AS with_quantity,
    min(quantity)                          AS min_quantity,
    CAST(median(quantity) AS DOUBLE)       AS median_quantity,
    max(quantity)                          AS max_quantity,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
WHERE drug_generic IS NOT NULL
GROUP BY drug_generic, strength
ORDER BY decisions DESC, drug_generic, strength
LIMIT $limit
