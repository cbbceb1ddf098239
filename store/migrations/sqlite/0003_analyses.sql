-- Analysis runs: their parameters and results, as recorded in provenance.
CREATE TABLE analyses (
    id         INTEGER PRIMARY KEY,
    case_ref   TEXT NOT NULL REFERENCES cases (ref),
    kind       TEXT NOT NULL,
    params     TEXT NOT NULL,
    result     BLOB NOT NULL,
    result_sha256 TEXT NOT NULL,
    leaf       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX analyses_case ON analyses (case_ref, id);
