-- Associations between records: one row per direction and association type, keyed by portal
-- first. A record's associations to one object type are a range of the primary key.
-- Writers insert with ON CONFLICT DO NOTHING on the key: two writers adding one association
-- leave exactly one row per direction.
CREATE TABLE associations (
    portal_id    BIGINT  NOT NULL,
    from_type    TEXT    NOT NULL,
    from_id      BIGINT  NOT NULL,
    to_type      TEXT    NOT NULL,
    to_id        BIGINT  NOT NULL,
    category     TEXT    NOT NULL,
    type_id      INTEGER NOT NULL,
    -- true for a type a record may hold towards one record only (a contact's primary company)
    single       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (portal_id, from_type, from_id, to_type, to_id, category, type_id)
);

-- The database keeps a one-to-one type to one record per source record: two writers moving a
-- contact's primary company at once cannot leave two.
CREATE UNIQUE INDEX associations_single
    ON associations (portal_id, from_type, from_id, to_type, category, type_id) WHERE single;

-- Custom (USER_DEFINED) association labels: one row per direction, each naming its inverse.
CREATE TABLE association_labels (
    portal_id        BIGINT  NOT NULL,
    type_id          INTEGER NOT NULL,
    from_type        TEXT    NOT NULL,
    to_type          TEXT    NOT NULL,
    inverse_type_id  INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    label            TEXT,
    forward          BOOLEAN NOT NULL,  -- true for the direction the label was created in
    PRIMARY KEY (portal_id, type_id)
);

CREATE UNIQUE INDEX association_labels_by_name
    ON association_labels (portal_id, from_type, to_type, name) WHERE forward;

-- Records merged into another: reads of the merged id answer with the record it became.
CREATE TABLE merged_records (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    record_id    BIGINT NOT NULL,
    merged_into  BIGINT NOT NULL,
    PRIMARY KEY (portal_id, object_type, record_id)
);

CREATE INDEX merged_records_into ON merged_records (portal_id, object_type, merged_into);

-- Statistics refreshed early, as for the other tables a portal grows (0007).
ALTER TABLE associations SET (autovacuum_analyze_scale_factor = 0.02);
