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
