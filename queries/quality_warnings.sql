-- Question: which letters did the parser load with warnings (something it could not read
-- cleanly), and what did it say?
-- Grain: one row per letter with at least one warning, the $limit most recently loaded, each with
-- the number of such letters in the whole database (letters_with_warnings).
-- Parameters: $limit (INTEGER). Data quality is about the whole database, not the filters.
SELECT
    case_number,
    source_file,
    decision_date,
    len(warnings)                    AS warning_count,
    array_to_string(warnings, ' · ') AS warnings,
    count(*) OVER ()                 AS letters_with_warnings
FROM letters
WHERE len(warnings) > 0
ORDER BY run_id DESC, letter_id DESC
LIMIT $limit
