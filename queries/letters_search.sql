-- Question: which letters match a search, among those the filters select, most relevant first?
-- Grain: one row per matching letter with a decision the filters select; one page of $limit rows
--   after the first $offset, each row carrying `matches`, the count of all of them.
-- Parameters: the shared filters; $limit, $offset (INTEGER). The caller registers the table
--   search_hits(letter_id INTEGER, score FLOAT): the search index's matches with their relevance.
-- `decisions` lists the letter's decisions that the filters select, in letter order.
SELECT
    h.letter_id,
    any_value(f.case_number)   AS case_number,
    any_value(f.decision_date) AS decision_date,
    string_agg(f.treatment || ' (' || CAST(f.outcome AS VARCHAR) || ')', '; ' ORDER BY f.item_no) AS decisions,
    any_value(h.score)         AS score,
    count(*) OVER ()           AS matches
FROM search_hits h
JOIN filtered f USING (letter_id)
GROUP BY h.letter_id
ORDER BY score DESC, h.letter_id
LIMIT $limit OFFSET $offset
