-- Question: how long did IMR take, per period and priority, per priority, and over all letters?
-- (timeliness_by_period.sql without filters, answered from mart_letter_days, the letters counted by
-- decision month, priority and days, instead of grouping two million decisions by letter.)
-- Grain: as timeliness_by_period.sql: one row per period and priority, one per priority (period NULL),
-- one 'all letters' row (period NULL).
-- Parameters: $period ('year', 'quarter' or 'month'); $standard_days, $expedited_days (INTEGER).
-- The median and 90th percentile are quantile_cont's, taken from the histogram: with n values in order,
-- rank r = (n - 1) q and d = r - floor(r), the values at floor(r) and ceil(r) weighted (1 - d) and d.
-- (DuckDB fuses one multiply-add, so a result may differ from quantile_cont's in the last bit of the
-- double, 1e-15 of a day, never in a digit shown.)
WITH marginal AS (
    -- each measure's histogram apart: days by period and priority (NULL days: the date is missing)
    SELECT CAST(date_trunc($period, decision_month) AS DATE) AS period, priority, measure, days,
        sum(letters) AS letters,
        coalesce(sum(letters) FILTER (WHERE days <= CASE WHEN priority = 'expedited' THEN $expedited_days
                                                         ELSE $standard_days END), 0) AS within_limit
    FROM (
        SELECT decision_month, priority, 'application' AS measure, days_from_application AS days, letters
        FROM mart_letter_days
        UNION ALL
        SELECT decision_month, priority, 'assignment', days_from_assignment, letters FROM mart_letter_days
    )
    GROUP BY ALL
), grouped AS (
    -- the row-level query's grouping sets; level 0: period and priority, 2: priority, 3: all letters
    SELECT period, priority, grouping(period, priority) AS level, measure, days,
           sum(letters) AS letters, sum(within_limit) AS within_limit
    FROM marginal
    GROUP BY GROUPING SETS ((period, priority, measure, days), (priority, measure, days), (measure, days))
    HAVING grouping(period) = 1 OR period IS NOT NULL  -- undated letters count in the priority and overall rows only
), counts AS (
    SELECT period, priority, level,
        sum(letters) FILTER (WHERE measure = 'application') AS letters,
        coalesce(sum(letters) FILTER (WHERE measure = 'application' AND days IS NOT NULL), 0) AS with_application_date,
        coalesce(sum(letters) FILTER (WHERE measure = 'assignment' AND days IS NOT NULL), 0) AS with_assignment_date,
        sum(within_limit) FILTER (WHERE measure = 'assignment') AS within_limit_from_assignment,
        sum(within_limit) FILTER (WHERE measure = 'application') AS within_limit_from_application
    FROM grouped
    GROUP BY period, priority, level
), ranked AS (
    SELECT *,
        sum(letters) OVER (PARTITION BY period, priority, level, measure ORDER BY days) - letters AS below,
        CAST(sum(letters) OVER (PARTITION BY period, priority, level, measure) - 1 AS DOUBLE) AS last_rank
    FROM grouped
    WHERE days IS NOT NULL
), ends AS (
    SELECT period, priority, level, measure, q, last_rank * q AS r,
        any_value(days) FILTER (WHERE below <= floor(last_rank * q) AND floor(last_rank * q) < below + letters) AS lo,
        any_value(days) FILTER (WHERE below <= ceil(last_rank * q) AND ceil(last_rank * q) < below + letters) AS hi
    FROM ranked CROSS JOIN (VALUES (CAST(0.5 AS DOUBLE)), (CAST(0.9 AS DOUBLE))) quantiles(q)
    GROUP BY period, priority, level, measure, q, r
), quantiles AS (
    SELECT period, priority, level,
        max(value) FILTER (WHERE measure = 'application' AND q = 0.5) AS median_days_from_application,
        max(value) FILTER (WHERE measure = 'application' AND q = 0.9) AS p90_days_from_application,
        max(value) FILTER (WHERE measure = 'assignment' AND q = 0.5) AS median_days_from_assignment,
        max(value) FILTER (WHERE measure = 'assignment' AND q = 0.9) AS p90_days_from_assignment
    FROM (
        SELECT *, CASE WHEN floor(r) = ceil(r) THEN CAST(lo AS DOUBLE)
                       ELSE CAST(lo AS DOUBLE) * (1.0 - (r - floor(r))) + CAST(hi AS DOUBLE) * (r - floor(r)) END AS value
        FROM ends
    )
    GROUP BY period, priority, level
)
SELECT
    c.period,
    CASE WHEN c.level = 3 THEN 'all letters' ELSE coalesce(CAST(c.priority AS VARCHAR), 'not stated') END AS priority,
    CAST(c.letters AS BIGINT) AS letters,
    CAST(c.with_application_date AS BIGINT) AS with_application_date,
    q.median_days_from_application,
    q.p90_days_from_application,
    CAST(c.with_assignment_date AS BIGINT) AS with_assignment_date,
    q.median_days_from_assignment,
    q.p90_days_from_assignment,
    CAST(c.within_limit_from_assignment AS BIGINT) AS within_limit_from_assignment,
    CAST(c.within_limit_from_application AS BIGINT) AS within_limit_from_application
FROM counts c
LEFT JOIN quantiles q
       ON q.period IS NOT DISTINCT FROM c.period AND q.priority IS NOT DISTINCT FROM c.priority AND q.level = c.level
ORDER BY c.level >= 2 DESC, c.level, c.period, priority
