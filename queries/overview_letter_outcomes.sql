-- Question: how many letters (cases) did IMR uphold in full, overturn in part, or overturn in
-- full, as the state's own search shows them?
-- Grain: one row per letter outcome ('upheld', 'partially overturned', 'overturned') with letters.
-- Parameters: the shared filters. A letter counts when any of its decisions matches them.
SELECT
    letter_outcome,
    -- distinct letters, counted with a bitmap over the letter ids (see overview_totals.sql)
    bit_count(bitstring_agg(letter_id)) AS letters
FROM filtered
GROUP BY letter_outcome
ORDER BY letter_outcome
