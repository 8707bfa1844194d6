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

-- A write's entries are consecutive in a record's history, at one moment, from one source: each
-- such run becomes one row, its entries in their order, and the rows keep the order the runs had.
WITH marked AS (
    SELECT *,
           CASE WHEN lag(timestamp) OVER byrecord = timestamp
                 AND lag(source_type) OVER byrecord = source_type
                 AND lag(source_id) OVER byrecord IS NOT DISTINCT FROM source_id
                THEN 0 ELSE 1 END AS starts
    FROM property_history
    WINDOW byrecord AS (PARTITION BY portal_id, object_type, record_id ORDER BY seq)
), runs AS (
    SELECT *, sum(starts) OVER (PARTITION BY portal_id, object_type, record_id ORDER BY seq) AS run
    FROM marked
)
INSERT INTO property_changes (portal_id, object_type, record_id, timestamp, source_type,
                              source_id, changes)
SELECT portal_id, object_type, record_id, timestamp, source_type, source_id,
       json_agg(json_build_array(property, value) ORDER BY seq)::text
FROM runs
GROUP BY portal_id, object_type, record_id, run, timestamp, source_type, source_id
ORDER BY min(seq);

DROP TABLE property_history;

ALTER TABLE property_changes SET (autovacuum_analyze_scale_factor = 0.02);
