-- Question: how long did IMR take by priority, and over all letters: days from the application
-- received, and from assignment, to the decision (median, 90th percentile), and how many letters
-- were decided within the regulatory limit for their priority?
-- Grain: one row per priority ('not stated' when the letter gives none) and one 'all letters' row;
-- letters, not decisions (a letter counts once when any of its decisions matches the filters).
-- Parameters: the shared filters; $standard_days, $expedited_days (INTEGER).
WITH cases AS (
    SELECT
        letter_id,
        any_value(priority)              AS priority,
        any_value(days_from_application) AS days_from_application,
        any_value(days_to_decision)      AS days_from_assignment
    FROM filtered
    GROUP BY letter_id
)
SELECT
    CASE WHEN grouping(priority) = 1 THEN 'all letters'
         ELSE coalesce(CAST(priority AS VARCHAR), 'not stated') END      AS priority,
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
GROUP BY GROUPING SETS ((priority), ())
ORDER BY grouping(priority), priority
