-- Search keeps rows only for the properties a search has named. Each named property has a row
-- here: built_to is NULL once every record's rows are built, else the highest record id built.
CREATE TABLE searched_properties (
    portal_id    BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    property     TEXT   NOT NULL,
    built_to     BIGINT,
    PRIMARY KEY (portal_id, object_type, property)
);

-- Until now every property was searched: those with rows keep them, and are built.
INSERT INTO searched_properties (portal_id, object_type, property, built_to)
SELECT DISTINCT portal_id, object_type, property, NULL::bigint FROM search_values
ON CONFLICT DO NOTHING;
INSERT INTO searched_properties (portal_id, object_type, property, built_to)
SELECT DISTINCT portal_id, object_type, property, NULL::bigint FROM search_tokens
ON CONFLICT DO NOTHING;
