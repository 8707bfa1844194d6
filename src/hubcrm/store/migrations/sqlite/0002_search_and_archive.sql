-- Search runs on these tables, never by reading every record. Only live records are indexed:
-- archiving a record deletes its rows. Every key leads with portal, object type and property, so a
-- filter reads only the rows of the one property it names.

-- One row per value a live record holds (one per item of a multi-value property). Text is
-- lower-cased for case-insensitive comparison; numbers, dates and datetimes also carry a number
-- (dates and datetimes as epoch milliseconds) so they compare as numbers, not as text.
CREATE TABLE search_values (
    portal_id     INTEGER NOT NULL,
    object_type   TEXT    NOT NULL,
    property      TEXT    NOT NULL,
    record_id     INTEGER NOT NULL,
    text_value    TEXT    NOT NULL,
    number_value  REAL,
    PRIMARY KEY (portal_id, object_type, property, record_id, text_value)
) WITHOUT ROWID;

CREATE INDEX search_values_by_text
    ON search_values (portal_id, object_type, property, text_value, record_id);
CREATE INDEX search_values_by_number
    ON search_values (portal_id, object_type, property, number_value, record_id);
CREATE INDEX search_values_by_record ON search_values (portal_id, object_type, record_id);

-- The words of each value, for CONTAINS_TOKEN and the free-text `query`.
CREATE TABLE search_tokens (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    property     TEXT    NOT NULL,
    token        TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    PRIMARY KEY (portal_id, object_type, property, token, record_id)
) WITHOUT ROWID;

CREATE INDEX search_tokens_by_record ON search_tokens (portal_id, object_type, record_id);

-- Unique values an archived record held when it was archived: they are free for live records to
-- take, and still find the archived record for reads with archived=true.
CREATE TABLE archived_unique_values (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    namespace    TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    PRIMARY KEY (portal_id, object_type, namespace, value, record_id)
) WITHOUT ROWID;

-- Listing pages through live (or archived) records in id order without reading the other kind.
CREATE INDEX records_by_archived ON records (portal_id, object_type, archived, record_id);

-- 1 once every record of this portal and type has its search rows (records written before this
-- migration are indexed by hubcrm when it starts).
ALTER TABLE object_schemas ADD COLUMN search_indexed INTEGER NOT NULL DEFAULT 0;
