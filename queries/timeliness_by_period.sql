-- Question: how long did IMR take, per period and priority, per priority, and over all letters:
-- days from the application received, and from the date the case was assigned, to the decision
-- (median, 90th percentile), and how many letters were decided within the regulatory limit for
-- their priority?
-- Grain: one row per period (month, quarter or year start date) and priority ('not stated' when
-- the letter gives none), plus one row per priority with period NULL, plus one 'all letters' row
-- (period NULL). Letters, not decisions: a letter counts once when any of its decisions matches.
-- Parameters: the shared filters; $period ('year', 'quarter' or 'month', from an allow-list);
--   $standard_days, $expedited_days (INTEGER, the limits the page states with their source).
-- One pass with grouping sets: grouping the decisions by letter is the costly part, done once; each
-- measure's two quantiles in one aggregate (one sort of the days, not two).
WITH cases AS (
    SELECT
        letter_id,
        any_value(decision_month)        AS decision_month,
        any_value(priority)              AS priority,
        any_value(days_from_application) AS days_from_application,
        any_value(days_to_decision)      AS days_from_assignment
    FROM filtered
    GROUP BY letter_id
), periods AS (
    SELECT *, CAST(date_trunc($period, decision_month) AS DATE) AS period FROM cases
), grouped AS (
SELECT
    grouping(period) AS all_periods, grouping(priority) AS all_priorities,
    period,
    CASE WHEN grouping(priority) = 1 THEN 'all letters'
         ELSE coalesce(CAST(priority AS VARCHAR), 'not stated') END      AS priority,
    count(*)                                                             AS letters,
    count(days_from_application)                                         AS with_application_date,
    quantile_cont(days_from_application, [0.5, 0.9])                     AS application_quantiles,
    count(days_from_assignment)                                          AS with_assignment_date,
    quantile_cont(days_from_assignment, [0.5, 0.9])                      AS assignment_quantiles,
    count(*) FILTER (WHERE days_from_assignment <= CASE WHEN priority = 'expedited' THEN $expedited_days
                                                        ELSE $standard_days END) AS within_limit_from_assignment,
    count(*) FILTER (WHERE days_from_application <= CASE WHEN priority = 'expedited' THEN $expedited_days
                                                         ELSE $standard_days END) AS within_limit_from_application
FROM periods
GROUP BY GROUPING SETS ((period, priority), (priority), ())
-- undated letters count in the priority and overall rows, not in any period
HAVING grouping(period) = 1 OR period IS NOT NULL
)
SELECT period, priority, letters,
    with_application_date,
    CAST(application_quantiles[1] AS DOUBLE) AS median_days_from_application,
    CAST(application_quantiles[2] AS DOUBLE) AS p90_days_from_application,
    with_assignment_date,
    CAST(assignment_quantiles[1] AS DOUBLE) AS median_days_from_assignment,
    CAST(assignment_quantiles[2] AS DOUBLE) AS p90_days_from_assignment,
    within_limit_from_assignment, within_limit_from_application
FROM grouped
ORDER BY all_periods DESC, all_priorities, period, priority
