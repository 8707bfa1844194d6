-- Property history as one row per record write, holding the properties it changed
-- (store/history.py), instead of one row per property: a write's history costs a record one row
-- and one index entry instead of one of each per property. Regrouping takes about 10 s per
-- million history rows (2 cores).
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

-- A write's entries are consecutive in a record's history, at one moment, from one source: each
-- such run becomes one row, its entries in their order (a window aggregate over an ordered
-- window, which SQLite feeds in that order), and the rows keep the order the runs had.
INSERT INTO property_changes
SELECT portal_id, object_type, record_id, timestamp, source_type, source_id, changes
FROM (
    SELECT seq, portal_id, object_type, record_id, timestamp, source_type, source_id,
           json_group_array(json_array(property, value)) OVER (
               PARTITION BY portal_id, object_type, record_id, run ORDER BY seq
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
           ) AS changes,
           row_number() OVER (
               PARTITION BY portal_id, object_type, record_id, run ORDER BY seq
           ) AS nth
    FROM (
        SELECT *, sum(starts) OVER (
                   PARTITION BY portal_id, object_type, record_id ORDER BY seq
               ) AS run
        FROM (
            SELECT rowid AS seq, *,
                   CASE WHEN lag(timestamp) OVER byrecord IS timestamp
                         AND lag(source_type) OVER byrecord IS source_type
                         AND lag(source_id) OVER byrecord IS source_id
                        THEN 0 ELSE 1 END AS starts
            FROM property_history
            WINDOW byrecord AS (PARTITION BY portal_id, object_type, record_id ORDER BY rowid)
        )
    )
)
WHERE nth = 1
ORDER BY seq;

DROP TABLE property_history;
