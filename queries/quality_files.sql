-- Question: how many files did the loads read, and what became of them?
-- Grain: one row per file status ('loaded', 'duplicate', 'rejected').
-- Parameters: none (data quality is about the whole database, not the filters).
SELECT CAST(status AS VARCHAR) AS status, count(*) AS files
FROM files
GROUP BY status
ORDER BY status
