-- Provenance log, signed checkpoints, blob register, installation metadata.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE leaves (
    idx      INTEGER PRIMARY KEY,
    case_ref TEXT NOT NULL,
    type     TEXT NOT NULL,
    data     BLOB NOT NULL
);
CREATE INDEX leaves_case ON leaves (case_ref, idx);

CREATE TABLE tree_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

CREATE TABLE checkpoints (
    seq  INTEGER PRIMARY KEY,
    size INTEGER NOT NULL,
    note BLOB NOT NULL
);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL
);

CREATE TRIGGER leaves_append_only_u BEFORE UPDATE ON leaves BEGIN SELECT RAISE(ABORT, 'provenance leaves are append-only'); END;
CREATE TRIGGER leaves_append_only_d BEFORE DELETE ON leaves BEGIN SELECT RAISE(ABORT, 'provenance leaves are append-only'); END;
CREATE TRIGGER tree_hashes_append_only_u BEFORE UPDATE ON tree_hashes BEGIN SELECT RAISE(ABORT, 'tree hashes are append-only'); END;
CREATE TRIGGER tree_hashes_append_only_d BEFORE DELETE ON tree_hashes BEGIN SELECT RAISE(ABORT, 'tree hashes are append-only'); END;
CREATE TRIGGER checkpoints_append_only_u BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_append_only_d BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER blobs_append_only_u BEFORE UPDATE ON blobs BEGIN SELECT RAISE(ABORT, 'the blob register is append-only'); END;
CREATE TRIGGER blobs_append_only_d BEFORE DELETE ON blobs BEGIN SELECT RAISE(ABORT, 'the blob register is append-only'); END;
