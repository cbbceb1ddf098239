-- Events are stored a table per source (the leaves of events, partitioned
-- by LIST (source_id)), so that an ingest loads its rows into a table of
-- its own with no index, then builds the indexes by sorting, using
-- parallel workers, and attaches the table before the ingest commits: a
-- bulk load several times cheaper than maintaining indexes row by row
-- (docs/PERFORMANCE.md, "PostgreSQL"). Until the ingest commits, no other
-- transaction sees the table; if it rolls back, the table is gone.
--
-- A leaf, events_s<source id>, has CHECK (source_id = <id>), so that
-- attaching it needs no scan, and its own indexes (the parent has none):
--   events_s<id>_row (row, sheet), unique: one event per row of a source;
--   events_s<id>_target (hashtextextended(target, 0), start_ns): a
--     target's events in a time range;
--   events_s<id>_first_cell (hashtextextended(first_cell, 0), start_ns)
--   and, where the last cell is given and differs from the first,
--   events_s<id>_last_cell (hashtextextended(last_cell, 0), start_ns): the
--     events on given cells in a time window.
-- Keys are the 64-bit hashes PostgreSQL's hash partitioning uses (stable
-- across versions) rather than the texts: numbers compare and sort far
-- faster than identifiers sharing long prefixes ("+447700…", "234-30-…").
-- Queries give both the hash and the text, so a collision costs a
-- re-check, never a wrong row. Queries name the case's sources, so that
-- only their leaves are read.
--
-- event_targets lists, for each case, the sources holding events of each
-- target, so that a target's events are looked for only in the leaves of
-- the sources that have them (a case of many sources would otherwise be
-- planned and read a leaf per source).
--
-- A leaf is made only for a source that exists, and holds it (FOR KEY
-- SHARE) until the transaction ends, so every event's source exists
-- without a per-row or per-statement check.

ALTER TABLE events RENAME TO events_by_case;
DROP TRIGGER events_sources ON events_by_case;
DROP FUNCTION events_check_sources();

CREATE TABLE events (
    case_ref   TEXT COLLATE "C" NOT NULL,
    target     TEXT COLLATE "C" NOT NULL,
    start_ns   BIGINT NOT NULL,
    source_id  BIGINT NOT NULL,
    row        INTEGER NOT NULL,
    duplicate  SMALLINT NOT NULL,
    sheet      TEXT COLLATE "C" NOT NULL,
    first_cell TEXT COLLATE "C" NOT NULL,
    last_cell  TEXT COLLATE "C" NOT NULL,
    detail     TEXT COLLATE "C" NOT NULL
) PARTITION BY LIST (source_id);

CREATE TABLE event_targets (
    case_ref  TEXT COLLATE "C" NOT NULL,
    target    TEXT COLLATE "C" NOT NULL,
    source_id BIGINT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (case_ref, target, source_id)
);

-- events_new_leaf makes the (unattached, unindexed) leaf of a source and
-- returns its name, or returns NULL when the source already has one.
CREATE FUNCTION events_new_leaf(src BIGINT) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    leaf TEXT := 'events_s' || src;
BEGIN
    PERFORM 1 FROM sources WHERE id = src FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert into events: source % does not exist', src USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF to_regclass(leaf) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE events, CHECK (source_id = %s))', leaf, src);
    RETURN leaf;
END
$$;

-- events_index_leaf builds the indexes of a source's leaf.
CREATE FUNCTION events_index_leaf(src BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    leaf TEXT := 'events_s' || src;
BEGIN
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (row, sheet)', leaf || '_row', leaf);
    EXECUTE format('CREATE INDEX %I ON %I (hashtextextended(target, 0), start_ns)', leaf || '_target', leaf);
    EXECUTE format('CREATE INDEX %I ON %I (hashtextextended(first_cell, 0), start_ns)', leaf || '_first_cell', leaf);
    EXECUTE format('CREATE INDEX %I ON %I (hashtextextended(last_cell, 0), start_ns) WHERE last_cell <> first_cell AND last_cell <> %L', leaf || '_last_cell', leaf, '');
END
$$;

-- events_attach_leaf makes a source's leaf part of events.
CREATE FUNCTION events_attach_leaf(src BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES IN (%s)', 'events_s' || src, src);
END
$$;

-- The events stored so far move to their sources' leaves.
DO $$
DECLARE
    src BIGINT;
BEGIN
    FOR src IN SELECT DISTINCT source_id FROM events_by_case ORDER BY 1 LOOP
        PERFORM events_new_leaf(src);
        EXECUTE format('INSERT INTO %I SELECT * FROM events_by_case WHERE source_id = %s', 'events_s' || src, src);
        PERFORM events_index_leaf(src);
        PERFORM events_attach_leaf(src);
    END LOOP;
END
$$;
INSERT INTO event_targets (case_ref, target, source_id)
    SELECT DISTINCT case_ref, target, source_id FROM events_by_case;
DROP TABLE events_by_case;
