-- Question: what did each side cite, and how often were the decisions overturned? (guidelines_groups.sql
-- without filters: the mart holds exactly these groups.)
-- Grain: as guidelines_groups.sql.
-- Parameters: none.
SELECT
    imr_source_key, ca_source_key, imr_guideline_group, ca_guideline_group, imr_mtus_chapter, same_sources_as_ca,
    decisions, overturned
FROM mart_guideline_groups
ORDER BY ALL
