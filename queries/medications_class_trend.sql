-- Question: how does each drug class's volume and overturn count move over time?
-- Grain: one row per drug class and period (month or quarter start date).
-- Parameters: the shared filters; $period ('month' or 'quarter', from an allow-list).
-- Grouping by the stored decision_month first leaves only the few month rows to truncate.
WITH months AS (
    SELECT drug_class, decision_month, count(*) AS decisions, sum(overturned) AS overturned
    FROM filtered
    WHERE drug_class IS NOT NULL AND decision_month IS NOT NULL
    GROUP BY drug_class, decision_month
)
SELECT
    drug_class,
    CAST(date_trunc($period, decision_month) AS DATE) AS period,
    CAST(sum(decisions) AS BIGINT)                    AS decisions,
    CAST(sum(overturned) AS BIGINT)                   AS overturned
FROM months
GROUP BY drug_class, period
ORDER BY drug_class, period
