-- Question: which letters match a search, among those the filters select, most relevant first?
-- Grain: one row per matching letter with a decision the filters select; one page of $limit rows
--   after the first $offset, each row carrying `matches`, the count of all of them.
-- Parameters: the shared filters; $limit, $offset (INTEGER). The caller registers the table
--   search_hits(letter_id INTEGER, score FLOAT): the search index's matches with their relevance.
-- Only ids and scores: what a row shows comes from the index, which keeps it.
SELECT letter_id, score, count(*) OVER () AS matches
FROM search_hits
WHERE letter_id IN (SELECT letter_id FROM filtered)
ORDER BY score DESC, letter_id
LIMIT $limit OFFSET $offset
