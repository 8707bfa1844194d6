-- Property history as one row per record write, holding the properties it changed
-- (store/history.py), instead of one row per property: a write's history costs a record one row
-- and one index entry instead of one of each per property.
CREATE TABLE property_changes (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    timestamp    INTEGER NOT NULL,
    source_type  TEXT    NOT NULL,
    source_id    TEXT,
    changes      TEXT    NOT NULL  -- [[property, value], ...] in the order written
);

CREATE INDEX property_changes_by_record
    ON property_changes (portal_id, object_type, record_id, timestamp);

-- Entries of one record written at one moment by one source become one row, in their order.
INSERT INTO property_changes
SELECT portal_id, object_type, record_id, timestamp, source_type, source_id,
       json_group_array(json_array(property, value))
FROM (
    SELECT rowid AS seq, * FROM property_history
    ORDER BY portal_id, object_type, record_id, timestamp, source_type, source_id, rowid
)
GROUP BY portal_id, object_type, record_id, timestamp, source_type, source_id
ORDER BY min(seq);

DROP TABLE property_history;
