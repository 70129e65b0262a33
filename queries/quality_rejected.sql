-- Question: which files were rejected, and why?
-- Grain: one row per rejected file, newest first.
-- Parameters: none.
SELECT path, reason, rejected_at, run_id
FROM v_rejected_files
ORDER BY rejected_at DESC, path
