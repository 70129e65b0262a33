-- Question: how long did IMR take, per period and priority: days from the application received,
-- and from the date the case was assigned, to the decision (median, 90th percentile), and how many
-- letters were decided within the regulatory limit for their priority?
-- Grain: one row per period (month, quarter or year start date) and priority ('not stated' when
-- the letter gives none); letters, not decisions: a letter counts once when any of its decisions
-- matches the filters.
-- Parameters: the shared filters; $period ('year', 'quarter' or 'month', from an allow-list);
--   $standard_days, $expedited_days (INTEGER, the limits the page states with their source).
WITH cases AS (
    SELECT
        letter_id,
        any_value(decision_month)        AS decision_month,
        any_value(priority)              AS priority,
        any_value(days_from_application) AS days_from_application,
        any_value(days_to_decision)      AS days_from_assignment
    FROM filtered
    WHERE decision_month IS NOT NULL
    GROUP BY letter_id
)
SELECT
    CAST(date_trunc($period, decision_month) AS DATE)                    AS period,
    coalesce(CAST(priority AS VARCHAR), 'not stated')                    AS priority,
    count(*)                                                             AS letters,
    count(days_from_application)                                         AS with_application_date,
    CAST(quantile_cont(days_from_application, 0.5) AS DOUBLE)            AS median_days_from_application,
    CAST(quantile_cont(days_from_application, 0.9) AS DOUBLE)            AS p90_days_from_application,
    count(days_from_assignment)                                          AS with_assignment_date,
    CAST(quantile_cont(days_from_assignment, 0.5) AS DOUBLE)             AS median_days_from_assignment,
    CAST(quantile_cont(days_from_assignment, 0.9) AS DOUBLE)             AS p90_days_from_assignment,
    count(*) FILTER (WHERE days_from_assignment <= CASE WHEN priority = 'expedited' THEN $expedited_days
                                                        ELSE $standard_days END) AS within_limit_from_assignment,
    count(*) FILTER (WHERE days_from_application <= CASE WHEN priority = 'expedited' THEN $expedited_days
                                                         ELSE $standard_days END) AS within_limit_from_application
FROM cases
GROUP BY ALL
ORDER BY period, priority
