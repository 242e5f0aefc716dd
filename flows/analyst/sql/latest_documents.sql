-- latest_documents: the newest version of each source_uri (an edited article is a new doc_id
-- under the same source_uri; the older versions stay in documents). `versions` counts them.
create or replace view latest_documents as
select
    documents.*,
    count(*) over (partition by source_uri) as versions
from documents
qualify row_number() over (
    partition by source_uri order by ingested_at desc, doc_id desc
) = 1;
