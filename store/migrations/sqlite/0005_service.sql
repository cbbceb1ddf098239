-- The HTTP service: users and their tokens, case membership, the audit
-- trail, background jobs, packs with their reviews, and triggers.
CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    display       TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('analyst', 'reviewer', 'prosecutor', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

-- Personal API tokens, stored only as SHA-256 hashes.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name),
    label      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_user ON tokens (user_name);

CREATE TABLE members (
    case_ref  TEXT NOT NULL REFERENCES cases (ref),
    user_name TEXT NOT NULL REFERENCES users (name),
    added_at  INTEGER NOT NULL,
    added_by  TEXT NOT NULL,
    PRIMARY KEY (case_ref, user_name)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members (user_name);

-- Every request that reads or changes case data. Append-only.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    user_name  TEXT NOT NULL,
    role       TEXT NOT NULL,
    case_ref   TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    status     INTEGER NOT NULL,
    client     TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX audit_by_case ON audit (case_ref, seq);
CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    case_ref    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    stage       TEXT NOT NULL,
    done        INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    request     TEXT NOT NULL,
    result      TEXT NOT NULL,
    error       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL
);
CREATE INDEX jobs_by_state ON jobs (state, created_at);
CREATE INDEX jobs_by_case ON jobs (case_ref, created_at);

CREATE TABLE packs (
    id             INTEGER PRIMARY KEY,
    case_ref       TEXT NOT NULL REFERENCES cases (ref),
    path           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size           INTEGER NOT NULL,
    exhibit        TEXT NOT NULL,
    render_leaf    INTEGER NOT NULL,
    pack_leaf      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT NOT NULL,
    trigger_id     INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'rejected')),
    reviewed_by    TEXT NOT NULL,
    reviewed_at    INTEGER NOT NULL,
    review_comment TEXT NOT NULL,
    review_leaf    INTEGER NOT NULL
);
CREATE INDEX packs_by_case ON packs (case_ref, id);

CREATE TABLE triggers (
    id         INTEGER PRIMARY KEY,
    case_ref   TEXT NOT NULL REFERENCES cases (ref),
    spec       TEXT NOT NULL,
    zone       TEXT NOT NULL,
    exhibit    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    last_due   INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0
);
