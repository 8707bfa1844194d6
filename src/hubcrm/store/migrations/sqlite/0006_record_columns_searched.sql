-- A record's id, creation and last change (hs_object_id, createdate and lastmodifieddate, the
-- properties hubcrm maintains on every record) are searched in the record's own columns
-- (store/search_sql.py): search keeps no rows of its own for them, and these indexes serve their
-- ranges and sorts among live records.
DELETE FROM search_values WHERE property IN ('hs_object_id', 'createdate', 'lastmodifieddate');
CREATE INDEX records_by_created ON records (portal_id, object_type, archived, created_at);
CREATE INDEX records_by_updated ON records (portal_id, object_type, archived, updated_at);
