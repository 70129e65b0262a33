-- Question: how many letters and decisions are there, and how many were overturned? (overview_totals.sql
-- without filters, from the marts: every letter once in mart_letter_days, every decision in mart_decision_months.)
-- Grain: one row.
-- Parameters: none.
SELECT
    (SELECT CAST(coalesce(sum(letters), 0) AS BIGINT) FROM mart_letter_days) AS letters,
    CAST(coalesce(sum(decisions), 0) AS BIGINT)                               AS decisions,
    CAST(coalesce(sum(overturned), 0) AS BIGINT)                              AS overturned,
    min(first_decision)                                                       AS first_decision,
    max(last_decision)                                                        AS last_decision
FROM mart_decision_months
