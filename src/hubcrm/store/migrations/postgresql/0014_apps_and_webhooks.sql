-- HubSpot apps: OAuth install and token refresh, webhook settings and subscriptions, and the outbox
-- of webhook events committed with the writes that caused them (domain/webhooks/).
--
-- Apps, their installs and refresh tokens belong to the developer account, not to a portal's
-- data: they name portals as developer_portal_id / hub_id, so that a portal reset (which clears
-- every table with a portal_id column) keeps them, as it keeps tokens.

CREATE TABLE apps (
    app_id                 BIGSERIAL PRIMARY KEY,
    developer_portal_id    BIGINT  NOT NULL,
    name                   TEXT    NOT NULL,
    client_id              TEXT    NOT NULL UNIQUE,
    -- Recoverable, not hashed: webhook signatures are HMACs keyed with it (docs/webhooks.md).
    client_secret          TEXT    NOT NULL,
    developer_key_hash     TEXT    NOT NULL UNIQUE,
    scopes                 TEXT    NOT NULL,
    redirect_uris          TEXT    NOT NULL,
    created_at             BIGINT  NOT NULL,
    target_url             TEXT,
    max_concurrent         BIGINT  NOT NULL DEFAULT 10,
    settings_created_at    BIGINT,
    settings_updated_at    BIGINT
);

CREATE TABLE app_installs (
    app_id        BIGINT  NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    hub_id        BIGINT  NOT NULL,
    installed_at  BIGINT  NOT NULL,
    PRIMARY KEY (app_id, hub_id)
);
CREATE INDEX app_installs_by_hub ON app_installs (hub_id);

CREATE TABLE oauth_codes (
    code_hash     TEXT    PRIMARY KEY,
    app_id        BIGINT  NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    hub_id        BIGINT  NOT NULL,
    redirect_uri  TEXT    NOT NULL,
    scopes        TEXT    NOT NULL,
    expires_at    BIGINT  NOT NULL,
    used_at       BIGINT
);

CREATE TABLE oauth_refresh_tokens (
    token_hash  TEXT    PRIMARY KEY,
    app_id      BIGINT  NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    hub_id      BIGINT  NOT NULL,
    scopes      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);

-- An access token issued to an app through OAuth names its app.
ALTER TABLE tokens ADD COLUMN app_id BIGINT;

CREATE TABLE webhook_subscriptions (
    subscription_id  BIGSERIAL PRIMARY KEY,
    app_id           BIGINT  NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    event_type       TEXT    NOT NULL,  -- as subscribed: contact.creation, object.propertyChange
    action           TEXT    NOT NULL,  -- creation, propertyChange, ...
    object_type_id   TEXT    NOT NULL,  -- 0-1, ...
    property_name    TEXT    NOT NULL DEFAULT '',
    active           BOOLEAN NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX webhook_subscriptions_by_app ON webhook_subscriptions (app_id);

-- The outbox: one row per event and subscription, written in the transaction of the write.
CREATE TABLE webhook_events (
    portal_id        BIGINT  NOT NULL,
    event_id         BIGSERIAL,
    app_id           BIGINT  NOT NULL,
    subscription_id  BIGINT  NOT NULL,
    event_type       TEXT    NOT NULL,
    occurred_at      BIGINT  NOT NULL,
    fields           TEXT    NOT NULL,  -- the payload's other fields, in order (JSON object)
    state            TEXT    NOT NULL DEFAULT 'pending',  -- pending, delivered, dropped
    attempts         BIGINT  NOT NULL DEFAULT 0,          -- attempts started
    due_at           BIGINT  NOT NULL,                    -- wall clock, epoch ms
    delivery_id      BIGINT ,                             -- the attempt holding it
    claimed_until    BIGINT ,
    done_at          BIGINT ,
    PRIMARY KEY (portal_id, event_id)
);
CREATE UNIQUE INDEX webhook_events_by_id ON webhook_events (event_id);
CREATE INDEX webhook_events_due ON webhook_events (due_at) WHERE state = 'pending';
CREATE INDEX webhook_events_by_delivery ON webhook_events (delivery_id);

-- Every POST made to a target URL, with its answer.
CREATE TABLE webhook_deliveries (
    portal_id     BIGINT  NOT NULL,
    delivery_id   BIGSERIAL,
    app_id        BIGINT  NOT NULL,
    url           TEXT    NOT NULL,
    events        TEXT    NOT NULL,  -- [[event_id, attemptNumber], ...]
    started_at    BIGINT  NOT NULL,
    finished_at   BIGINT ,
    status        BIGINT ,
    error         TEXT,
    response      TEXT,
    PRIMARY KEY (portal_id, delivery_id)
);
CREATE UNIQUE INDEX webhook_deliveries_by_id ON webhook_deliveries (delivery_id);
