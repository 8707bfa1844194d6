-- Associations between records: one row per direction and association type, keyed by portal
-- first. A record's associations to one object type are a range of the primary key.
-- Writers insert with ON CONFLICT DO NOTHING on the key: two writers adding one association
-- leave exactly one row per direction.
CREATE TABLE associations (
    portal_id    INTEGER NOT NULL,
    from_type    TEXT    NOT NULL,
    from_id      INTEGER NOT NULL,
    to_type      TEXT    NOT NULL,
    to_id        INTEGER NOT NULL,
    category     TEXT    NOT NULL,
    type_id      INTEGER NOT NULL,
    -- 1 for a type a record may hold towards one record only (a contact's primary company)
    single       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (portal_id, from_type, from_id, to_type, to_id, category, type_id)
) WITHOUT ROWID;

-- The database keeps a one-to-one type to one record per source record.
CREATE UNIQUE INDEX associations_single
    ON associations (portal_id, from_type, from_id, to_type, category, type_id) WHERE single = 1;

-- Custom (USER_DEFINED) association labels: one row per direction, each naming its inverse.
CREATE TABLE association_labels (
    portal_id        INTEGER NOT NULL,
    type_id          INTEGER NOT NULL,
    from_type        TEXT    NOT NULL,
    to_type          TEXT    NOT NULL,
    inverse_type_id  INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    label            TEXT,
    forward          INTEGER NOT NULL,  -- 1 for the direction the label was created in
    PRIMARY KEY (portal_id, type_id)
) WITHOUT ROWID;

CREATE UNIQUE INDEX association_labels_by_name
    ON association_labels (portal_id, from_type, to_type, name) WHERE forward = 1;

-- Records merged into another: reads of the merged id answer with the record it became.
CREATE TABLE merged_records (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    merged_into  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, object_type, record_id)
) WITHOUT ROWID;

CREATE INDEX merged_records_into ON merged_records (portal_id, object_type, merged_into);
