-- Several service processes (replicas) on one database: a running job
-- names the replica that claimed it and when that replica last reported
-- it alive; a cancel asked for on one replica reaches the job on another.
-- Holds keep a stored original from being discarded while an upload or an
-- ingest of any replica still needs it.
ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN heartbeat INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cancel_by TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_by_owner ON jobs (owner, state);

CREATE TABLE holds (
    id         TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX holds_by_blob ON holds (sha256);
