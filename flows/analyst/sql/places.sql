-- places: one row per canonical entity per document labelled GPE, LOC or FAC, with its mention count,
-- its surface forms and where it is first mentioned (documents.text offset).
create or replace view places as
select
    doc_id,
    entity_id,
    min(canonical) as name,
    min(label) as label,
    count(*) as mentions,
    count(distinct section_index) as sections,
    list(distinct text order by text) as forms,
    min(char_start) as first_char,
    min(ingest_date) as ingest_date
from entities
where label in ('GPE', 'LOC', 'FAC')
group by doc_id, entity_id;
