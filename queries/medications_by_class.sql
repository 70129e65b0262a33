-- Question: per drug class, how many decisions and how many overturned?
-- Grain: one row per drug class (Pharmaceuticals only).
-- Parameters: the shared filters.
SELECT
    drug_class,
    count(*)        AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
WHERE drug_class IS NOT NULL
GROUP BY drug_class
ORDER BY decisions DESC, drug_class
