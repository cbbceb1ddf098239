-- Cases, ingested sources, events, cells and rejected rows.
CREATE TABLE cases (
    ref        TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    case_ref        TEXT NOT NULL REFERENCES cases (ref),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL,
    profile         TEXT NOT NULL,
    profile_version TEXT NOT NULL,
    profile_sha256  TEXT NOT NULL,
    time_basis      TEXT NOT NULL,
    target          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    leaf            INTEGER NOT NULL,
    ingested_at     INTEGER NOT NULL,
    UNIQUE (case_ref, kind, sha256)
);

-- One row per event, clustered by case, target and time (the order in which
-- timelines and co-location read them), so that the table is its own index.
-- Columns hold what queries select on; every other field of the event, the
-- original texts included, is kept in detail (see packEvent in
-- store/records.go).
CREATE TABLE events (
    case_ref   TEXT NOT NULL,
    target     TEXT NOT NULL,
    start_ns   INTEGER NOT NULL,
    source_id  INTEGER NOT NULL REFERENCES sources (id),
    sheet      TEXT NOT NULL,
    row        INTEGER NOT NULL,
    first_cell TEXT NOT NULL,
    last_cell  TEXT NOT NULL,
    duplicate  INTEGER NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (case_ref, target, start_ns, source_id, sheet, row)
) WITHOUT ROWID;

CREATE TABLE cells (
    source_id  INTEGER NOT NULL REFERENCES sources (id),
    case_ref   TEXT NOT NULL,
    sheet      TEXT NOT NULL,
    row        INTEGER NOT NULL,
    key        TEXT NOT NULL,
    key_raw    TEXT NOT NULL,
    radio      TEXT NOT NULL,
    site       TEXT NOT NULL,
    address    TEXT NOT NULL,
    postcode   TEXT NOT NULL,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    easting    REAL NOT NULL,
    northing   REAL NOT NULL,
    azimuth    REAL NOT NULL,
    omni       INTEGER NOT NULL,
    beamwidth  REAL NOT NULL,
    band       TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to   INTEGER NOT NULL,
    warnings   TEXT NOT NULL,
    PRIMARY KEY (source_id, sheet, row)
);
CREATE INDEX cells_case_key ON cells (case_ref, key);

CREATE TABLE rejects (
    source_id INTEGER NOT NULL REFERENCES sources (id),
    sheet     TEXT NOT NULL,
    row       INTEGER NOT NULL,
    col       TEXT NOT NULL,
    code      TEXT NOT NULL,
    reason    TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (source_id, sheet, row)
);
