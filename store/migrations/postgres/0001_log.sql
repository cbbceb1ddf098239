-- Provenance log, signed checkpoints, blob register, installation metadata.
-- The same tables as migrations/sqlite/0001_log.sql, in PostgreSQL's types.
-- Every text column compares as bytes (COLLATE "C"), as SQLite's do,
-- whatever the database's locale: the same queries list things in the same
-- order on both engines, and identifiers compare at memcmp speed.
CREATE TABLE meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

CREATE TABLE leaves (
    idx      BIGINT PRIMARY KEY,
    case_ref TEXT COLLATE "C" NOT NULL,
    type     TEXT COLLATE "C" NOT NULL,
    data     BYTEA NOT NULL
);
CREATE INDEX leaves_case ON leaves (case_ref, idx);

CREATE TABLE tree_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

CREATE TABLE checkpoints (
    seq  BIGINT PRIMARY KEY,
    size BIGINT NOT NULL,
    note BYTEA NOT NULL
);

CREATE TABLE blobs (
    sha256 TEXT COLLATE "C" PRIMARY KEY,
    size   BIGINT NOT NULL
);

-- Append-only tables refuse UPDATE, DELETE and TRUNCATE; the argument is
-- the message.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER leaves_append_only BEFORE UPDATE OR DELETE ON leaves
    FOR EACH ROW EXECUTE FUNCTION refuse_change('provenance leaves are append-only');
CREATE TRIGGER leaves_append_only_t BEFORE TRUNCATE ON leaves
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('provenance leaves are append-only');
CREATE TRIGGER tree_hashes_append_only BEFORE UPDATE OR DELETE ON tree_hashes
    FOR EACH ROW EXECUTE FUNCTION refuse_change('tree hashes are append-only');
CREATE TRIGGER tree_hashes_append_only_t BEFORE TRUNCATE ON tree_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('tree hashes are append-only');
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change('checkpoints are append-only');
CREATE TRIGGER checkpoints_append_only_t BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('checkpoints are append-only');
CREATE TRIGGER blobs_append_only BEFORE UPDATE OR DELETE ON blobs
    FOR EACH ROW EXECUTE FUNCTION refuse_change('the blob register is append-only');
CREATE TRIGGER blobs_append_only_t BEFORE TRUNCATE ON blobs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the blob register is append-only');
