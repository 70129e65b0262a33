-- Question: how many decisions are there before any filter (the M of "N of M decisions")?
-- Grain: one row.
-- Parameters: none.
SELECT count(*) AS decisions FROM decision_facts
