-- entity_cooccurrence: pairs of canonical entities named in the same section, each unordered
-- pair once (a before b by entity_id), with the sections and documents they share. Dates,
-- times, numbers and quantities are left out: they co-occur with everything and say nothing.
create or replace view entity_cooccurrence as
with named as (
    select distinct doc_id, section_index, entity_id, canonical, label
    from entities
    where label not in (
        'DATE', 'TIME', 'PERCENT', 'MONEY', 'QUANTITY', 'ORDINAL', 'CARDINAL'
    )
)
select
    a.entity_id as entity_id_a,
    min(a.canonical) as name_a,
    min(a.label) as label_a,
    b.entity_id as entity_id_b,
    min(b.canonical) as name_b,
    min(b.label) as label_b,
    count(*) as sections,
    count(distinct a.doc_id) as documents
from named as a
join named as b
    on a.doc_id = b.doc_id
    and a.section_index = b.section_index
    and a.entity_id < b.entity_id
group by a.entity_id, b.entity_id;
