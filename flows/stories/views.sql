-- Story views for `newsdesk query` (issue 13). They read the base views `documents`, `quotes`
-- (and `entities`), one row per committed row of those tables. DuckDB SQL.

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

-- Quotations per speaker, each story counted once: a quotation repeated in every syndicated
-- copy of one story counts once, in two different stories twice. Speakers are grouped by their
-- canonical name (and entity id when linked); quotes with no resolved speaker are left out.
CREATE OR REPLACE VIEW speaker_quote_counts AS
SELECT
    q.speaker_canonical AS speaker,
    q.speaker_entity_id,
    count(DISTINCT q.quote_key) AS quotations,
    count(DISTINCT (d.story_id, q.quote_key)) AS quotations_by_story,
    count(DISTINCT d.story_id) AS stories,
    count(*) AS occurrences
FROM quotes AS q
JOIN documents AS d USING (doc_id)
WHERE q.speaker_canonical IS NOT NULL
GROUP BY q.speaker_canonical, q.speaker_entity_id;
