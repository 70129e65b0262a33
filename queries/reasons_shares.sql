-- Question: why do reviewers uphold? The share of upheld decisions giving each reason.
-- Grain: one row per reason code given at least once. `decisions` is the denominator, every
--   filtered upheld decision whose reasons were read (the same on every row); `giving` those giving
--   the code. A decision may give several codes, so the shares add up to more than 100%.
-- Parameters: the shared filters (see filtered_decisions.sql).
WITH upheld AS MATERIALIZED (
    SELECT reason_codes FROM filtered WHERE outcome = 'upheld' AND len(reason_codes) > 0
), given AS (
    SELECT code, count(*) AS giving
    FROM (SELECT unnest(reason_codes) AS code FROM upheld)
    GROUP BY code
)
SELECT given.code, (SELECT count(*) FROM upheld) AS decisions, given.giving
FROM given
