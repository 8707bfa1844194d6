-- Custom object schemas (the schemas API): one row per portal and custom object type "2-<n>".
-- The definition is the schema as JSON, opaque to the store. A name stays taken while its schema
-- is archived, until the schema is purged.
CREATE TABLE custom_object_schemas (
    portal_id    BIGINT  NOT NULL REFERENCES portals (portal_id),
    object_type  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    definition   TEXT    NOT NULL,
    archived     BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (portal_id, object_type)
);

CREATE UNIQUE INDEX custom_object_schemas_by_name ON custom_object_schemas (portal_id, name);

-- Moves on whenever a portal's custom schemas change (and on a reset), so that every process
-- drops the object types it cached; the next custom type number is never reused.
ALTER TABLE portals ADD COLUMN schemas_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE portals ADD COLUMN next_custom_type BIGINT NOT NULL DEFAULT 1;

-- HubSpot's default property definitions of each standard type, stored once for every portal (a
-- new portal would otherwise copy ~700 definitions, 0.5 MB). A seed is named by a digest of its
-- definitions, so a hubcrm shipping other defaults adds a seed rather than changing one. A
-- portal type's definitions are its own rows (custom properties, and defaults it changed or
-- archived) over the seed its object_schemas row names.
CREATE TABLE seed_definitions (
    seed_key     TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    name         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    PRIMARY KEY (seed_key, object_type, name)
);

ALTER TABLE object_schemas ADD COLUMN seed_key TEXT;
