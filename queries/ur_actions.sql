-- Question: how often had UR denied a request outright versus modified it, and how did IMR rule?
-- Grain: one row per UR action ('denied', 'modified').
-- Parameters: the shared filters.
SELECT
    CAST(ur_action AS VARCHAR) AS ur_action,
    count(*)                   AS decisions,
    CAST(sum(overturned) AS BIGINT) AS overturned
FROM filtered
GROUP BY ur_action
ORDER BY ur_action
