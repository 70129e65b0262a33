-- Question: why were files rejected, and how often for each reason?
-- Grain: one row per rejection reason.
-- Parameters: none.
SELECT reason, count(*) AS files
FROM v_rejected_files
GROUP BY reason
ORDER BY files DESC, reason
