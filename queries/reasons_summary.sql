-- Question: how many upheld decisions have their reasons read, and how many give a reason that
-- better records could answer (the codes reason_labels.csv marks records_gap)?
-- Grain: one row for the filtered decisions.
-- Parameters: the shared filters (see filtered_decisions.sql); $records_gap_codes (VARCHAR[]).
-- A decision counts as read when the reader found at least one reason in its rationale.
SELECT
    count(*)                                                                   AS upheld,
    count(*) FILTER (WHERE len(reason_codes) > 0)                              AS with_reasons,
    count(*) FILTER (WHERE list_has_any(reason_codes, $records_gap_codes))     AS records_gap,
    CAST(coalesce(sum(len(reason_codes)), 0) AS BIGINT)                       AS reasons_given
FROM filtered
WHERE outcome = 'upheld'
