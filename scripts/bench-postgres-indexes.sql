-- Where a bulk load of events spends the server's time (docs/PERFORMANCE.md,
-- "PostgreSQL"): 2,000,000 rows shaped like Cellsite's events (one case,
-- 80 targets of 25,000 events in time order, 2,000 cells; one in five
-- records ending on another cell, one in three with no last cell; a
-- 150-byte detail) are written to a CSV file, then loaded with COPY into
--   n: the events table's columns, no index;
--   a: the same with the indexes of the events table
--      (store/migrations/postgres/0002_cases.sql), maintained row by row;
-- and finally the same three indexes are built on n after its load, as
-- CREATE INDEX does (sorting), to show what loading first and indexing
-- afterwards would save. The tables are not partitioned, so the figures
-- are of the indexes and the rows alone.
--
-- Usage: psql -q -d DATABASE -f scripts/bench-postgres-indexes.sql
-- (it makes and drops a schema named cellsite_index_bench).
\set ON_ERROR_STOP on
DROP SCHEMA IF EXISTS cellsite_index_bench CASCADE;
CREATE SCHEMA cellsite_index_bench;
SET search_path = cellsite_index_bench;
CREATE TABLE stage AS
SELECT 'BENCH'::text AS case_ref,
       '+4477009' || lpad((i / 25000)::text, 5, '0') AS target,
       1735689600000000000::bigint + (i % 25000) * 21 * 60 * 1000000000 AS start_ns,
       1::bigint AS source_id, (i + 2)::int AS row, 0::smallint AS duplicate, ''::text AS sheet,
       '234-30-' || (129000000 + ((i / 25000) * 13 + (i * 7919) % 30) % 2000) AS first_cell,
       CASE WHEN i % 5 = 1 THEN '234-30-' || (129000000 + (i * 31) % 2000)
            WHEN i % 3 = 2 THEN ''
            ELSE '234-30-' || (129000000 + ((i / 25000) * 13 + (i * 7919) % 30) % 2000) END AS last_cell,
       repeat('x', 150) AS detail
FROM generate_series(0::bigint, 1999999::bigint) AS i;
\copy stage TO '/tmp/cellsite_index_bench.csv' CSV
CREATE TABLE n (
    case_ref TEXT COLLATE "C" NOT NULL, target TEXT COLLATE "C" NOT NULL, start_ns BIGINT NOT NULL,
    source_id BIGINT NOT NULL, row INTEGER NOT NULL, duplicate SMALLINT NOT NULL, sheet TEXT COLLATE "C" NOT NULL,
    first_cell TEXT COLLATE "C" NOT NULL, last_cell TEXT COLLATE "C" NOT NULL, detail TEXT COLLATE "C" NOT NULL);
CREATE TABLE a (LIKE n, PRIMARY KEY (case_ref, target, start_ns, source_id, sheet, row));
CREATE INDEX a_first_cell ON a (case_ref, first_cell, start_ns);
CREATE INDEX a_last_cell ON a (case_ref, last_cell, start_ns) WHERE last_cell <> first_cell AND last_cell <> '';
CHECKPOINT;
\echo COPY 2,000,000 rows, no index:
\timing on
\copy n FROM '/tmp/cellsite_index_bench.csv' CSV
\timing off
CHECKPOINT;
\echo COPY 2,000,000 rows, the three indexes of events maintained as rows arrive:
\timing on
\copy a FROM '/tmp/cellsite_index_bench.csv' CSV
\timing off
\echo the same three indexes built after the load (one core):
SET max_parallel_maintenance_workers = 0;
\timing on
ALTER TABLE n ADD PRIMARY KEY (case_ref, target, start_ns, source_id, sheet, row);
CREATE INDEX n_first_cell ON n (case_ref, first_cell, start_ns);
CREATE INDEX n_last_cell ON n (case_ref, last_cell, start_ns) WHERE last_cell <> first_cell AND last_cell <> '';
\timing off
DROP SCHEMA cellsite_index_bench CASCADE;
\! rm -f /tmp/cellsite_index_bench.csv
