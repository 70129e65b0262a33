-- Question: which strengths and quantities are requested for each drug? (medications_strengths.sql without
-- filters, from mart_drug_quantities: the decisions per drug, strength and quantity.)
-- Grain: one row per drug and strength as written (most frequent drug/strength pairs, $limit of them).
-- Parameters: $limit (INTEGER).
-- The median is quantile_cont's from the counts per quantity: with n quantities in order and r = (n - 1) / 2,
-- the one at r, or half the one below plus half the one above.
WITH ranked AS (
    SELECT *,
        sum(decisions) OVER (PARTITION BY drug_generic, strength ORDER BY quantity) - decisions AS below,
        CAST(sum(decisions) OVER (PARTITION BY drug_generic, strength) - 1 AS DOUBLE) * 0.5 AS r
    FROM mart_drug_quantities
    WHERE quantity IS NOT NULL
), medians AS (
    SELECT drug_generic, strength,
        CASE WHEN floor(r) = ceil(r) THEN CAST(lo AS DOUBLE)
             ELSE CAST(lo AS DOUBLE) * (1.0 - (r - floor(r))) + CAST(hi AS DOUBLE) * (r - floor(r)) END AS median_quantity
    FROM (
        SELECT drug_generic, strength, r,
            any_value(quantity) FILTER (WHERE below <= floor(r) AND floor(r) < below + decisions) AS lo,
            any_value(quantity) FILTER (WHERE below <= ceil(r) AND ceil(r) < below + decisions) AS hi
        FROM ranked
        GROUP BY drug_generic, strength, r
    )
), groups AS (
    SELECT
        drug_generic,
        strength,
        CAST(sum(decisions) AS BIGINT)                                        AS decisions,
        CAST(coalesce(sum(decisions) FILTER (WHERE quantity IS NOT NULL), 0) AS BIGINT) AS with_quantity,
        min(quantity)                                                         AS min_quantity,
        max(quantity)                                                         AS max_quantity,
        CAST(sum(overturned) AS BIGINT)                                       AS overturned
    FROM mart_drug_quantities
    GROUP BY drug_generic, strength
)
SELECT
    g.drug_generic,
    coalesce(g.strength, '(not stated)') AS strength,
    g.decisions,
    g.with_quantity,
    g.min_quantity,
    m.median_quantity,
    g.max_quantity,
    g.overturned
FROM groups g
LEFT JOIN medians m ON m.drug_generic = g.drug_generic AND m.strength IS NOT DISTINCT FROM g.strength
ORDER BY decisions DESC, drug_generic, strength
LIMIT $limit
