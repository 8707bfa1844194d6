-- Search keeps rows only for the properties a search has named. Each named property has a row
-- here: built_to is NULL once every record's rows are built, else the highest record id built.
CREATE TABLE searched_properties (
    portal_id    INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    property     TEXT    NOT NULL,
    built_to     INTEGER,
    PRIMARY KEY (portal_id, object_type, property)
) WITHOUT ROWID;

-- Until now every property was searched: those with rows keep them, and are built.
INSERT OR IGNORE INTO searched_properties (portal_id, object_type, property, built_to)
SELECT DISTINCT portal_id, object_type, property, NULL FROM search_values;
INSERT OR IGNORE INTO searched_properties (portal_id, object_type, property, built_to)
SELECT DISTINCT portal_id, object_type, property, NULL FROM search_tokens;
