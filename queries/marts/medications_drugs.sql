-- Question: which drugs are disputed, in which strengths and quantities, and how often overturned?
-- (medications_drugs.sql without filters: the mart holds exactly these groups.)
-- Grain: as medications_drugs.sql.
-- Parameters: none.
SELECT drug_generic, drug_class, strength, quantity, decisions, overturned
FROM mart_drug_quantities
ORDER BY ALL
