-- Question: when was the data last loaded, and what did each load do?
-- Grain: one row per load run, newest first.
-- Parameters: none.
SELECT run_id, started_at, finished_at, parser_version, array_to_string(sources, ', ') AS sources,
       files_seen, files_loaded, files_skipped, files_duplicate, files_rejected
FROM load_runs
ORDER BY started_at DESC
