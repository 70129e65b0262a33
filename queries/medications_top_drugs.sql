-- Question: which drugs are disputed most, and how often is each overturned?
-- Grain: one row per drug (lower-case generic name), the $limit most frequent.
-- Parameters: the shared filters; $limit (INTEGER).
SELECT
    drug_generic,
    any_value(drug_class) AS drug_class,
    count(*)              AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
WHERE drug_generic IS NOT NULL
GROUP BY drug_generic
ORDER BY decisions DESC, drug_generic
LIMIT $limit
