-- Question: what did IMR decide on each item of one letter, on which guidelines, and why?
-- Grain: one row per decision of the letter $letter_id, in letter order.
-- Parameters: $letter_id (INTEGER).
SELECT
    d.item_no, treatment, CAST(outcome AS VARCHAR) AS outcome,
    CAST(service_category AS VARCHAR) AS service_category,
    CAST(service_subcategory AS VARCHAR) AS service_subcategory,
    drug_generic, strength, quantity, CAST(ur_action AS VARCHAR) AS ur_action,
    ur_authorized, ur_authorized_quantity, t.ca_guideline_text, t.imr_guideline_text, t.rationale
FROM decisions d
JOIN decision_texts t USING (letter_id, item_no)
WHERE d.letter_id = $letter_id AND t.letter_id = $letter_id  -- both sides: each scan skips to the letter
ORDER BY d.item_no
