-- Question: how many decisions per month (or quarter), and how many were overturned?
-- Grain: one row per period (month or quarter start date).
-- Parameters: the shared filters; $period ('month' or 'quarter', from an allow-list).
-- Grouping by the stored decision_month first leaves only the few month rows to truncate.
WITH months AS (
    SELECT decision_month, count(*) AS decisions, sum(overturned) AS overturned
    FROM filtered
    WHERE decision_month IS NOT NULL
    GROUP BY decision_month
)
SELECT
    CAST(date_trunc($period, decision_month) AS DATE) AS period,
    CAST(sum(decisions) AS BIGINT)                    AS decisions,
    CAST(sum(overturned) AS BIGINT)                   AS overturned
FROM months
GROUP BY period
ORDER BY period
