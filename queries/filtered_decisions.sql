-- Question: which decisions do the shared filters select? Every page's question reads this as
-- the CTE `filtered` (the runner prepends it), so all pages agree on what "filtered" means.
-- Grain: one row per decision (decision_facts, pre-joined, so no page joins at read time).
-- Parameters: each NULL when its filter is unset. $date_from, $date_to (DATE);
--   $categories, $drug_classes, $drugs, $specialties, $guideline_sources, $outcomes,
--   $ur_actions, $ca_licences, $age_bands, $sexes, $letter_outcomes, $priorities, $reasons (VARCHAR[]).
-- $letter_outcomes is the case-level outcome (a letter's decisions all upheld, all overturned, or mixed);
-- $reasons matches a decision with any of the reviewer's reasons given; 'unknown' priority matches none stated.
-- $guideline_sources matches what the IMR reviewer cited; 'nothing cited' matches an empty list.
-- It is spelt out source by source on the one-string key ('MTUS,ODG'; no source name holds
-- another), several times faster than list functions at a million letters.
SELECT *
FROM decision_facts
WHERE ($date_from IS NULL OR decision_date >= $date_from)
  AND ($date_to IS NULL OR decision_date <= $date_to)
  AND ($categories IS NULL OR list_contains($categories, CAST(service_category AS VARCHAR)))
  AND ($drug_classes IS NULL OR list_contains($drug_classes, drug_class))
  AND ($drugs IS NULL OR list_contains($drugs, drug_generic))
  AND ($specialties IS NULL OR list_contains($specialties, reviewer_specialty))
  AND ($guideline_sources IS NULL
       OR (list_contains($guideline_sources, 'MTUS') AND contains(imr_source_key, 'MTUS'))
       OR (list_contains($guideline_sources, 'ODG') AND contains(imr_source_key, 'ODG'))
       OR (list_contains($guideline_sources, 'ACOEM') AND contains(imr_source_key, 'ACOEM'))
       OR (list_contains($guideline_sources, 'OTHER') AND contains(imr_source_key, 'OTHER'))
       OR (list_contains($guideline_sources, 'nothing cited') AND imr_source_key = 'nothing cited'))
  AND ($outcomes IS NULL OR list_contains($outcomes, CAST(outcome AS VARCHAR)))
  AND ($ur_actions IS NULL OR list_contains($ur_actions, CAST(ur_action AS VARCHAR)))
  AND ($ca_licences IS NULL OR list_contains($ca_licences, reviewer_ca_licence))
  AND ($age_bands IS NULL OR list_contains($age_bands, age_band))
  AND ($sexes IS NULL OR list_contains($sexes, patient_sex))
  AND ($letter_outcomes IS NULL OR list_contains($letter_outcomes, letter_outcome))
  AND ($priorities IS NULL OR list_contains($priorities, coalesce(CAST(priority AS VARCHAR), 'unknown')))
  AND ($reasons IS NULL OR list_has_any(reason_codes, $reasons))
