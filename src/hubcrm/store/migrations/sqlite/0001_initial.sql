-- Every key leads with the portal: no query crosses portals, and a portal's rows sort together.

CREATE TABLE portals (
    portal_id   INTEGER PRIMARY KEY,
    created_at  INTEGER NOT NULL
);

CREATE TABLE tokens (
    portal_id   INTEGER NOT NULL REFERENCES portals (portal_id),
    token_id    INTEGER NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    scopes      TEXT    NOT NULL,
    name        TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER,
    PRIMARY KEY (portal_id, token_id)
);

-- One row per portal and object type: the id sequence and the version of its property definitions.
CREATE TABLE object_schemas (
    portal_id           INTEGER NOT NULL REFERENCES portals (portal_id),
    object_type         TEXT    NOT NULL,
    next_record_id      INTEGER NOT NULL,
    properties_version  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, object_type)
);

CREATE TABLE property_definitions (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    definition   TEXT    NOT NULL,
    archived     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (portal_id, object_type, name)
) WITHOUT ROWID;

CREATE TABLE records (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    properties   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    archived     INTEGER NOT NULL DEFAULT 0,
    archived_at  INTEGER,
    PRIMARY KEY (portal_id, object_type, record_id)
) WITHOUT ROWID;

-- The database enforces uniqueness: one row per value of a unique property held by a live record.
CREATE TABLE unique_values (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    namespace    TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    PRIMARY KEY (portal_id, object_type, namespace, value)
) WITHOUT ROWID;

CREATE INDEX unique_values_by_record ON unique_values (portal_id, object_type, record_id);

CREATE TABLE property_history (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    property     TEXT    NOT NULL,
    timestamp    INTEGER NOT NULL,
    value        TEXT    NOT NULL,
    source_type  TEXT    NOT NULL,
    source_id    TEXT
);

CREATE INDEX property_history_by_record
    ON property_history (portal_id, object_type, record_id, property, timestamp);
