-- Pipelines of deals and tickets with their stages, their audit trail, and a portal's owners.
-- A portal's default pipelines are written the first time its pipelines of a type are read
-- (pipeline_sets records that they were), so a reset, which empties these tables, restores them.
CREATE TABLE pipeline_sets (
    portal_id    BIGINT  NOT NULL,
    object_type  TEXT    NOT NULL,
    next_id      BIGINT  NOT NULL,  -- the id the next new pipeline or stage of this type gets
    PRIMARY KEY (portal_id, object_type)
);

CREATE TABLE pipelines (
    portal_id      BIGINT  NOT NULL,
    object_type    TEXT    NOT NULL,
    pipeline_id    TEXT    NOT NULL,
    label          TEXT    NOT NULL,
    display_order  BIGINT  NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    archived_at    BIGINT,
    PRIMARY KEY (portal_id, object_type, pipeline_id)
);

CREATE TABLE pipeline_stages (
    portal_id          BIGINT  NOT NULL,
    object_type        TEXT    NOT NULL,
    pipeline_id        TEXT    NOT NULL,
    stage_id           TEXT    NOT NULL,
    label              TEXT    NOT NULL,
    display_order      BIGINT  NOT NULL,
    metadata           TEXT    NOT NULL,  -- {"probability": "0.2", ...}
    write_permissions  TEXT    NOT NULL,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    archived_at        BIGINT,
    PRIMARY KEY (portal_id, object_type, pipeline_id, stage_id)
);

CREATE TABLE pipeline_audits (
    portal_id    BIGINT  NOT NULL,
    object_type  TEXT    NOT NULL,
    pipeline_id  TEXT    NOT NULL,
    stage_id     TEXT    NOT NULL,  -- '' for a change of the pipeline itself
    seq          BIGINT  GENERATED ALWAYS AS IDENTITY,
    timestamp    BIGINT  NOT NULL,
    action       TEXT    NOT NULL,
    raw_object   TEXT    NOT NULL,
    PRIMARY KEY (portal_id, object_type, pipeline_id, seq)
);

CREATE TABLE owners (
    portal_id    BIGINT  NOT NULL,
    owner_id     BIGINT  NOT NULL,
    user_id      BIGINT  NOT NULL,
    email        TEXT    NOT NULL,
    first_name   TEXT    NOT NULL,
    last_name    TEXT    NOT NULL,
    owner_type   TEXT    NOT NULL,
    teams        TEXT    NOT NULL,  -- [{"id": ..., "name": ..., "primary": ...}]
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    archived_at  BIGINT,
    PRIMARY KEY (portal_id, owner_id)
);

-- One live owner per email in a portal, as HubSpot has one owner per user.
CREATE UNIQUE INDEX owners_live_email ON owners (portal_id, email) WHERE archived_at IS NULL;
CREATE UNIQUE INDEX owners_user ON owners (portal_id, user_id);
