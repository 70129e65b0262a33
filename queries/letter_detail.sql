-- Question: what does one letter say (its dates, reviewer, patient and full text)?
-- Grain: one row (the letter $letter_id).
-- Parameters: $letter_id (INTEGER).
-- No file path: the page shows what the letter says, not where the server keeps it.
SELECT
    l.letter_id, case_number, decision_date, date_assigned, date_of_injury,
    ur_denial_date, application_received, CAST(priority AS VARCHAR) AS priority,
    reviewer_license_states, reviewer_specialties, patient_age,
    CAST(patient_sex AS VARCHAR) AS patient_sex, t.full_text
FROM letters l
JOIN letter_texts t USING (letter_id)
WHERE l.letter_id = $letter_id AND t.letter_id = $letter_id  -- both sides: each scan skips to the letter
