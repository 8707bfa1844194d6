-- Property history as one row per record write, holding the properties it changed
-- (store/history.py), instead of one row per property: a write's history costs a record one row
-- and one index entry instead of one of each per property.
-- seq orders rows written in the same millisecond, in the order their transactions wrote them.
CREATE TABLE property_changes (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    record_id    BIGINT NOT NULL,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    timestamp    BIGINT NOT NULL,
    source_type  TEXT   NOT NULL,
    source_id    TEXT,
    changes      TEXT   NOT NULL,  -- [[property, value], ...] in the order written
    PRIMARY KEY (portal_id, object_type, record_id, seq)
);

-- Entries of one record written at one moment by one source become one row, in their order.
INSERT INTO property_changes (portal_id, object_type, record_id, timestamp, source_type,
                              source_id, changes)
SELECT portal_id, object_type, record_id, timestamp, source_type, source_id,
       json_agg(json_build_array(property, value) ORDER BY seq)::text
FROM property_history
GROUP BY portal_id, object_type, record_id, timestamp, source_type, source_id
ORDER BY min(seq);

DROP TABLE property_history;

ALTER TABLE property_changes SET (autovacuum_analyze_scale_factor = 0.02);
