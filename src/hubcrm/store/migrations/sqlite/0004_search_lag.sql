-- Search rows are caught up behind writes (records/indexer.py). A write notes each record it
-- saves here, with the properties search knew it by then (NULL: none, for a new or archived
-- record); a later write of a record still waiting keeps the first note, which is still what
-- search knows. Catching a record up deletes its note.
CREATE TABLE search_pending (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    indexed      TEXT,
    PRIMARY KEY (portal_id, object_type, record_id)
) WITHOUT ROWID;

-- Records of types never indexed (written before search existed) wait like any other.
INSERT INTO search_pending (portal_id, object_type, record_id, indexed)
SELECT r.portal_id, r.object_type, r.record_id, NULL
FROM records r JOIN object_schemas s ON s.portal_id = r.portal_id AND s.object_type = r.object_type
WHERE s.search_indexed = 0 AND r.archived = 0;

ALTER TABLE object_schemas DROP COLUMN search_indexed;
