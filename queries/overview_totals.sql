-- Question: how many letters and decisions match the filters, and how many were overturned?
-- Grain: one row.
-- Parameters: the shared filters.
SELECT
    -- A bitmap over the letter ids counts distinct letters exactly, several times faster than
    -- count(DISTINCT) at a million letters. It relies on the loader numbering letters 1, 2, 3...
    -- (DuckDB refuses a bitmap spanning a billion ids).
    coalesce(bit_count(bitstring_agg(letter_id)), 0) AS letters,
    count(*)                         AS decisions,
    CAST(coalesce(sum(overturned), 0) AS BIGINT) AS overturned,
    min(decision_date)               AS first_decision,
    max(decision_date)               AS last_decision
FROM filtered
