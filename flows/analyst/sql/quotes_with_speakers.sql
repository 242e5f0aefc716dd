-- quotes_with_speakers: each quote with its speaker's entity (label, mentions in the document)
-- and its document's title, source and dates. `speaker_name` is the canonical name when the
-- speaker was linked to an entity, else the surface mention; null for an unattributed quote.
create or replace view quotes_with_speakers as
with speaker_entities as (
    select doc_id, entity_id, min(label) as label, count(*) as mentions
    from entities
    group by doc_id, entity_id
)
select
    q.doc_id,
    q.section_index,
    q.char_start,
    q.char_end,
    q.text as quote,
    q.kind,
    q.cue,
    coalesce(q.speaker_canonical, q.speaker) as speaker_name,
    q.speaker,
    q.speaker_canonical,
    q.speaker_entity_id,
    e.label as speaker_label,
    e.mentions as speaker_mentions,
    d.title,
    d.source_uri,
    d.source_name,
    d.published_at,
    q.ingest_date
from quotes as q
join documents as d on d.doc_id = q.doc_id
left join speaker_entities as e
    on e.doc_id = q.doc_id and e.entity_id = q.speaker_entity_id;
