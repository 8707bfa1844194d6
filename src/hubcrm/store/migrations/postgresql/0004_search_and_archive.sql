-- Search runs on these tables, never by reading every record (see store/search_sql.py). Only live
-- records are indexed: archiving a record deletes its rows. Every key leads with portal, object
-- type and property, so a filter reads only the rows of the one property it names.

-- One row per value a live record holds (one per item of a multi-value property). Text is
-- lower-cased; numbers, dates and datetimes (epoch milliseconds) also carry a number.
CREATE TABLE search_values (
    portal_id     BIGINT NOT NULL,
    object_type   TEXT   NOT NULL,
    property      TEXT   NOT NULL,
    record_id     BIGINT NOT NULL,
    text_value    TEXT   NOT NULL,
    number_value  DOUBLE PRECISION,
    PRIMARY KEY (portal_id, object_type, property, record_id, text_value)
);

CREATE INDEX search_values_by_text
    ON search_values (portal_id, object_type, property, text_value COLLATE "C", record_id);
CREATE INDEX search_values_by_number
    ON search_values (portal_id, object_type, property, number_value, record_id);
CREATE INDEX search_values_by_record ON search_values (portal_id, object_type, record_id);

-- The words of each value, for CONTAINS_TOKEN and the free-text `query`. The "C" collation lets
-- LIKE 'prefix%' use the index.
CREATE TABLE search_tokens (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    property     TEXT   NOT NULL,
    token        TEXT   COLLATE "C" NOT NULL,
    record_id    BIGINT NOT NULL,
    PRIMARY KEY (portal_id, object_type, property, token, record_id)
);

CREATE INDEX search_tokens_by_record ON search_tokens (portal_id, object_type, record_id);

-- Unique values an archived record held when it was archived: free for live records to take,
-- and still finding the archived record for reads with archived=true.
-- Keyed like unique_values, by the SHA-256 of the value.
CREATE TABLE archived_unique_values (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    namespace    TEXT   NOT NULL,
    value        TEXT   NOT NULL,
    record_id    BIGINT NOT NULL,
    digest       BYTEA  NOT NULL,
    PRIMARY KEY (portal_id, object_type, namespace, digest, record_id)
);

CREATE INDEX records_by_archived ON records (portal_id, object_type, archived, record_id);

-- Existing portals and types are indexed by hubcrm when it starts; new ones start indexed.
ALTER TABLE object_schemas ADD COLUMN search_indexed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE object_schemas ALTER COLUMN search_indexed SET DEFAULT TRUE;
