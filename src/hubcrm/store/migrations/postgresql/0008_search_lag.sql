-- Search rows are caught up behind writes (records/indexer.py). A write notes each record it
-- saves here, with the properties search knew it by then (NULL: none, for a new or archived
-- record); a later write of a record still waiting keeps the first note, which is still what
-- search knows. Catching a record up deletes its note.
CREATE TABLE search_pending (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    record_id    BIGINT NOT NULL,
    indexed      JSONB,
    PRIMARY KEY (portal_id, object_type, record_id)
);

-- Rows come and go all the time: vacuum the dead ones early.
ALTER TABLE search_pending SET (autovacuum_vacuum_scale_factor = 0.01,
                                autovacuum_analyze_scale_factor = 0.02);

-- Records of types never indexed (written before search existed) wait like any other.
INSERT INTO search_pending (portal_id, object_type, record_id, indexed)
SELECT r.portal_id, r.object_type, r.record_id, NULL
FROM records r JOIN object_schemas s ON s.portal_id = r.portal_id AND s.object_type = r.object_type
WHERE NOT s.search_indexed AND NOT r.archived;

ALTER TABLE object_schemas DROP COLUMN search_indexed;
