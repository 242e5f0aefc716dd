-- One row per story: when it was first seen, how many copies (document versions) it has, which
-- outlets ran it, and the title of its first document (the story id is that document's doc_id).
CREATE OR REPLACE VIEW stories AS
SELECT
    d.story_id,
    min(d.ingested_at) AS first_seen,
    min(d.published_at) AS first_published,
    count(*) AS copies,
    count(DISTINCT d.source_name) AS outlet_count,
    list(DISTINCT d.source_name ORDER BY d.source_name)
        FILTER (WHERE d.source_name IS NOT NULL) AS outlets,
    coalesce(
        any_value(d.title) FILTER (WHERE d.doc_id = d.story_id),
        min(d.title)
    ) AS title
FROM documents AS d
GROUP BY d.story_id;
