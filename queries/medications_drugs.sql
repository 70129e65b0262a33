-- Question: which drugs are disputed, in which strengths and quantities, and how often overturned? The
-- page's most disputed drugs and its strengths and quantities both come from these groups: one pass over
-- the filtered decisions, not two (dashboard/medications.py, which takes the medians from the counts).
-- Grain: one row per drug (lower-case generic name), drug class, strength as written and quantity.
-- Parameters: the shared filters.
SELECT
    drug_generic, drug_class, strength, quantity,
    count(*)                        AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
WHERE drug_generic IS NOT NULL
GROUP BY ALL
ORDER BY ALL
