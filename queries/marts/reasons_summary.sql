-- Question: how many upheld decisions have their reasons read, and how many give a reason that better
-- records could answer? (reasons_summary.sql without filters, from mart_reason_sets.)
-- Grain: one row.
-- Parameters: $records_gap_codes (VARCHAR[]).
SELECT
    CAST(coalesce(sum(decisions), 0) AS BIGINT)                                                AS upheld,
    CAST(coalesce(sum(decisions) FILTER (WHERE len(reason_codes) > 0), 0) AS BIGINT)           AS with_reasons,
    CAST(coalesce(sum(decisions) FILTER (WHERE list_has_any(reason_codes, $records_gap_codes)), 0) AS BIGINT)
                                                                                               AS records_gap,
    CAST(coalesce(sum(decisions * len(reason_codes)), 0) AS BIGINT)                            AS reasons_given
FROM mart_reason_sets
