-- Question: which letter has this case number (any year, whatever the filters say)?
-- Grain: at most one row (case numbers are unique; the lookup uses their index).
-- Parameters: $case_number (VARCHAR, as the letters print it, e.g. CM16-0242302; the page
--   normalises what was typed: upper case, no spaces, the dash put back).
SELECT letter_id, case_number
FROM letters
WHERE case_number = $case_number
