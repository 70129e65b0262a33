-- Question: what does one letter say (its header fields and full text)?
-- Grain: one row (the letter $letter_id).
-- Parameters: $letter_id (INTEGER).
SELECT
    l.letter_id, case_number, source_file, layout, decision_date, date_assigned, date_of_injury,
    ur_denial_date, application_received, CAST(priority AS VARCHAR) AS priority,
    reviewer_license_states, reviewer_specialties, patient_age,
    CAST(patient_sex AS VARCHAR) AS patient_sex, t.full_text
FROM letters l
JOIN letter_texts t USING (letter_id)
WHERE l.letter_id = $letter_id
