-- Question: what did IMR decide on each item of one letter, on which guidelines, and why?
-- Grain: one row per decision of the letter $letter_id, in letter order.
-- Parameters: $letter_id (INTEGER).
SELECT
    item_no, treatment, CAST(outcome AS VARCHAR) AS outcome,
    CAST(service_category AS VARCHAR) AS service_category,
    CAST(service_subcategory AS VARCHAR) AS service_subcategory,
    drug_generic, strength, quantity, CAST(ur_action AS VARCHAR) AS ur_action,
    ur_authorized, ur_authorized_quantity, ca_guideline_text, imr_guideline_text, rationale
FROM decisions
WHERE letter_id = $letter_id
ORDER BY item_no
