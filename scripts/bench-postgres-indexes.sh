#!/usr/bin/env bash
# Where a bulk load of events spends the server's time, and how fast the
# events table's indexes allow a load to be on this machine whatever the
# loading strategy (docs/PERFORMANCE.md, "PostgreSQL").
#
# ROWS rows (default 4,000,000) shaped like Cellsite's events (one case,
# targets of 25,000 events in time order, 2,000 cells; one record in five
# ends on another cell, one in three has no last cell; a 150-byte detail)
# are written to two CSV files of half the rows each, then loaded with
# psql's COPY (no client work beyond reading the file) into tables with
# the events table's columns and, where said, the indexes of
# store/migrations/postgres/0002_cases.sql:
#   1. no index, one session;
#   2. the three indexes maintained as rows arrive, one session (what an
#      ingest does);
#   3. the three indexes built after load 1 (CREATE INDEX sorts), one
#      session, no parallel workers;
#   4. load then index, using both cores: two sessions load half each
#      into an unindexed table, then two sessions build the indexes
#      (the primary key and the last-cell index in one, the first-cell
#      index in the other);
#   5. the same rows with integer keys: targets and cells numbered (as a
#      per-case dictionary would), and no case column in the indexes (as
#      a partition per case would allow): the primary key
#      (target, start_ns, source, sheet, row) and the two cell indexes,
#      maintained as rows arrive, one session;
#   6. load 5's layout with no index, then build its indexes, one session;
#   7. the same with both cores, as in 4.
# The tables are not partitioned; the schema cellsite_index_bench is made
# and dropped in the database DSN names.
#
# Usage: scripts/bench-postgres-indexes.sh DSN [ROWS]
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
dsn=${1:?usage: scripts/bench-postgres-indexes.sh DSN [ROWS]}
rows=${2:-4000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"; psql "$dsn" -qc "DROP SCHEMA IF EXISTS cellsite_index_bench CASCADE" 2>/dev/null || true' EXIT
p() { psql "$dsn" -X -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
report() { awk -v what="$1" -v s="$2" -v e="$3" -v n="$rows" 'BEGIN { t = e - s; printf "%-62s %7.2f s  %5.2f µs a row  %8.0f rows/s\n", what, t, t * 1e6 / n, n / t }'; }

cols='case_ref TEXT COLLATE "C" NOT NULL, target TEXT COLLATE "C" NOT NULL, start_ns BIGINT NOT NULL,
    source_id BIGINT NOT NULL, row INTEGER NOT NULL, duplicate SMALLINT NOT NULL, sheet TEXT COLLATE "C" NOT NULL,
    first_cell TEXT COLLATE "C" NOT NULL, last_cell TEXT COLLATE "C" NOT NULL, detail TEXT COLLATE "C" NOT NULL'
pkey='PRIMARY KEY (case_ref, target, start_ns, source_id, sheet, row)'
first='(case_ref, first_cell, start_ns)'
last="(case_ref, last_cell, start_ns) WHERE last_cell <> first_cell AND last_cell <> ''"

p <<SQL
DROP SCHEMA IF EXISTS cellsite_index_bench CASCADE;
CREATE SCHEMA cellsite_index_bench;
SET search_path = cellsite_index_bench;
CREATE TABLE stage AS
SELECT 'BENCH'::text AS case_ref, '+4477009' || lpad((i / 25000)::text, 5, '0') AS target,
       1735689600000000000::bigint + (i % 25000) * 21 * 60 * 1000000000 AS start_ns,
       1::bigint AS source_id, (i + 2)::int AS row, 0::smallint AS duplicate, ''::text AS sheet,
       '234-30-' || (129000000 + ((i / 25000) * 13 + (i * 7919) % 30) % 2000) AS first_cell,
       CASE WHEN i % 5 = 1 THEN '234-30-' || (129000000 + (i * 31) % 2000) WHEN i % 3 = 2 THEN ''
            ELSE '234-30-' || (129000000 + ((i / 25000) * 13 + (i * 7919) % 30) % 2000) END AS last_cell,
       repeat('x', 150) AS detail
FROM generate_series(0::bigint, $rows - 1) AS i;
\copy (SELECT * FROM stage WHERE row % 2 = 0) TO '$dir/h0.csv' CSV
\copy (SELECT * FROM stage WHERE row % 2 = 1) TO '$dir/h1.csv' CSV
CREATE TABLE istage AS
SELECT substr(target, 9)::int AS target_id, start_ns, source_id::int AS source_id, row, 0::smallint AS sheet_id, duplicate,
       (substr(first_cell, 8)::int - 129000000) AS first_cell,
       CASE WHEN last_cell = '' THEN -1 ELSE substr(last_cell, 8)::int - 129000000 END AS last_cell, detail
FROM stage;
\copy (SELECT * FROM istage WHERE row % 2 = 0) TO '$dir/i0.csv' CSV
\copy (SELECT * FROM istage WHERE row % 2 = 1) TO '$dir/i1.csv' CSV
DROP TABLE stage, istage;
CREATE TABLE ni (target_id int NOT NULL, start_ns bigint NOT NULL, source_id int NOT NULL, row int NOT NULL,
    sheet_id smallint NOT NULL, duplicate smallint NOT NULL, first_cell int NOT NULL, last_cell int NOT NULL, detail text COLLATE "C" NOT NULL);
CREATE TABLE qi (LIKE ni);
CREATE TABLE ai (LIKE ni, PRIMARY KEY (target_id, start_ns, source_id, sheet_id, row));
CREATE INDEX ON ai (first_cell, start_ns);
CREATE INDEX ON ai (last_cell, start_ns) WHERE last_cell <> first_cell AND last_cell >= 0;
CREATE TABLE n ($cols);
CREATE TABLE a ($cols, $pkey);
CREATE INDEX ON a $first;
CREATE INDEX ON a $last;
CREATE TABLE q ($cols);
CHECKPOINT;
SQL
load() { p -c "\\copy cellsite_index_bench.$1 FROM '$dir/h0.csv' CSV" -c "\\copy cellsite_index_bench.$1 FROM '$dir/h1.csv' CSV"; }

s=$(now); load n; e=$(now); report "1. COPY, no index" "$s" "$e"
p -c CHECKPOINT
s=$(now); load a; e=$(now); report "2. COPY, the three indexes maintained as rows arrive" "$s" "$e"
s=$(now)
p -c "SET max_parallel_maintenance_workers = 0" -c "ALTER TABLE cellsite_index_bench.n ADD $pkey" \
	-c "CREATE INDEX ON cellsite_index_bench.n $first" -c "CREATE INDEX ON cellsite_index_bench.n $last"
e=$(now); report "3. the three indexes built after load 1, one session" "$s" "$e"
p -c CHECKPOINT
s=$(now)
p -c "\\copy cellsite_index_bench.q FROM '$dir/h0.csv' CSV" &
p -c "\\copy cellsite_index_bench.q FROM '$dir/h1.csv' CSV" &
wait
m=$(now)
p -c "SET max_parallel_maintenance_workers = 0" -c "ALTER TABLE cellsite_index_bench.q ADD $pkey" -c "CREATE INDEX ON cellsite_index_bench.q $last" &
p -c "SET max_parallel_maintenance_workers = 0" -c "CREATE INDEX ON cellsite_index_bench.q $first" &
wait
e=$(now)
report "4. two sessions load, then two sessions index: the load" "$s" "$m"
report "   the indexes" "$m" "$e"
report "   together" "$s" "$e"
p -c CHECKPOINT
s=$(now); p -c "\\copy cellsite_index_bench.ai FROM '$dir/i0.csv' CSV" -c "\\copy cellsite_index_bench.ai FROM '$dir/i1.csv' CSV"; e=$(now)
report "5. integer keys, the three indexes maintained as rows arrive" "$s" "$e"
p -c CHECKPOINT
s=$(now); p -c "\\copy cellsite_index_bench.ni FROM '$dir/i0.csv' CSV" -c "\\copy cellsite_index_bench.ni FROM '$dir/i1.csv' CSV"; m=$(now)
p -c "SET max_parallel_maintenance_workers = 0" -c "ALTER TABLE cellsite_index_bench.ni ADD PRIMARY KEY (target_id, start_ns, source_id, sheet_id, row)" \
	-c "CREATE INDEX ON cellsite_index_bench.ni (first_cell, start_ns)" -c "CREATE INDEX ON cellsite_index_bench.ni (last_cell, start_ns) WHERE last_cell <> first_cell AND last_cell >= 0"
e=$(now)
report "6. integer keys, no index: the load" "$s" "$m"
report "   the three indexes built after it, one session" "$m" "$e"
report "   together" "$s" "$e"
p -c CHECKPOINT
ipkey='PRIMARY KEY (target_id, start_ns, source_id, sheet_id, row)'
s=$(now)
p -c "\\copy cellsite_index_bench.qi FROM '$dir/i0.csv' CSV" &
p -c "\\copy cellsite_index_bench.qi FROM '$dir/i1.csv' CSV" &
wait
m=$(now)
p -c "SET max_parallel_maintenance_workers = 0" -c "ALTER TABLE cellsite_index_bench.qi ADD $ipkey" \
	-c "CREATE INDEX ON cellsite_index_bench.qi (last_cell, start_ns) WHERE last_cell <> first_cell AND last_cell >= 0" &
p -c "SET max_parallel_maintenance_workers = 0" -c "CREATE INDEX ON cellsite_index_bench.qi (first_cell, start_ns)" &
wait
e=$(now)
report "7. integer keys, two sessions load, then two index: the load" "$s" "$m"
report "   the indexes" "$m" "$e"
report "   together" "$s" "$e"
