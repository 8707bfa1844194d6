-- Every key leads with the portal: no query crosses portals, and a portal's rows can live on one
-- shard of a distributed PostgreSQL (each table would be distributed by portal_id).

CREATE TABLE portals (
    portal_id   BIGINT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

CREATE TABLE tokens (
    portal_id   BIGINT NOT NULL REFERENCES portals (portal_id),
    token_id    BIGINT NOT NULL,
    token_hash  TEXT   NOT NULL UNIQUE,
    scopes      TEXT   NOT NULL,
    name        TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT,
    PRIMARY KEY (portal_id, token_id)
);

-- One row per portal and object type: the id sequence and the version of its property definitions.
CREATE TABLE object_schemas (
    portal_id           BIGINT NOT NULL REFERENCES portals (portal_id),
    object_type         TEXT   NOT NULL,
    next_record_id      BIGINT NOT NULL,
    properties_version  BIGINT NOT NULL,
    PRIMARY KEY (portal_id, object_type)
);

CREATE TABLE property_definitions (
    portal_id    BIGINT  NOT NULL,
    object_type  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    definition   TEXT    NOT NULL,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (portal_id, object_type, name)
);

CREATE TABLE records (
    portal_id    BIGINT  NOT NULL,
    object_type  TEXT    NOT NULL,
    record_id    BIGINT  NOT NULL,
    properties   JSONB   NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at  BIGINT,
    PRIMARY KEY (portal_id, object_type, record_id)
);

-- The database enforces uniqueness: one row per value of a unique property held by a live record.
-- Two writers claiming one value race on this primary key, and exactly one wins.
CREATE TABLE unique_values (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    namespace    TEXT   NOT NULL,
    value        TEXT   NOT NULL,
    record_id    BIGINT NOT NULL,
    PRIMARY KEY (portal_id, object_type, namespace, value)
);

CREATE INDEX unique_values_by_record ON unique_values (portal_id, object_type, record_id);

-- seq orders entries written in the same millisecond, in the order their transactions wrote them.
CREATE TABLE property_history (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    record_id    BIGINT NOT NULL,
    property     TEXT   NOT NULL,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    timestamp    BIGINT NOT NULL,
    value        TEXT   NOT NULL,
    source_type  TEXT   NOT NULL,
    source_id    TEXT,
    PRIMARY KEY (portal_id, object_type, record_id, property, seq)
);
