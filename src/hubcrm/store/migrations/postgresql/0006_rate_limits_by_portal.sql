-- Rate-limit counters keyed first by portal, like every other table, so that they shard with the
-- portal's data. They are counters of recent use: starting them afresh loses nothing that matters.

DROP TABLE rate_hits;
DROP TABLE rate_days;

CREATE UNLOGGED TABLE rate_hits (
    portal_id  BIGINT NOT NULL,
    key        TEXT   NOT NULL,  -- the portal, or for search the portal and the token
    at_ms      BIGINT NOT NULL
);

CREATE INDEX rate_hits_by_key ON rate_hits (portal_id, key, at_ms);

CREATE UNLOGGED TABLE rate_days (
    portal_id  BIGINT NOT NULL,
    key        TEXT   NOT NULL,
    day        BIGINT NOT NULL,  -- days since the epoch, UTC
    count      BIGINT NOT NULL,
    PRIMARY KEY (portal_id, key)
);
