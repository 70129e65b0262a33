-- Question: what do these letters say where a search may have matched (for the passages shown with
--   the results)?
-- Grain: one row per letter of $letter_ids; its decisions' texts as lists in letter order.
-- Parameters: $letter_ids (INTEGER[]).
SELECT
    t.letter_id, t.full_text,
    list(d.treatment ORDER BY d.item_no)         AS treatments,
    list(x.rationale ORDER BY d.item_no)         AS rationales,
    list(x.ca_guideline_text ORDER BY d.item_no)  AS ca_guidelines,
    list(x.imr_guideline_text ORDER BY d.item_no) AS imr_guidelines
FROM letter_texts t
JOIN decisions d USING (letter_id)
JOIN decision_texts x USING (letter_id, item_no)
WHERE list_contains($letter_ids, t.letter_id)
GROUP BY t.letter_id, t.full_text
