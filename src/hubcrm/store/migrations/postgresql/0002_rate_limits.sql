-- Rate-limit counters shared by every hubcrm process on this database. UNLOGGED: they are
-- rewritten on every request, and losing them in a crash only forgets recent usage.

CREATE UNLOGGED TABLE rate_hits (
    key    TEXT   NOT NULL,  -- the portal (and, for search, the token) the hit counts against
    at_ms  BIGINT NOT NULL
);

CREATE INDEX rate_hits_by_key ON rate_hits (key, at_ms);

CREATE UNLOGGED TABLE rate_days (
    key    TEXT   PRIMARY KEY,
    day    BIGINT NOT NULL,  -- days since the epoch, UTC
    count  BIGINT NOT NULL
);
