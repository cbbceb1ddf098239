#!/usr/bin/env bash
# PostgreSQL benchmarks (docs/PERFORMANCE.md, "PostgreSQL"):
#   1. the bulk load of an ingest's events with COPY: EVENTS events (default
#      10,000,000) into a fresh schema of the database DSN names, through
#      store.Tx.InsertEvents, 4,096 a call in one transaction;
#   2. with LOAD events (default 0: skipped), scripts/pgbench: loads that
#      many events into the schema of DSN, then times the two queries at
#      that size and prints their plans.
# When PGDATA names the local server's data directory, the server's CPU
# time (all its processes) is printed for each step.
#
# Usage: PGDATA=/var/lib/postgresql/15/main scripts/bench-postgres.sh DSN [EVENTS] [LOAD]
set -euo pipefail
cd "$(dirname "$0")/.."
dsn=${1:?usage: scripts/bench-postgres.sh DSN [EVENTS] [LOAD]}
events=${2:-10000000}
load=${3:-0}

# servercpu prints the CPU seconds the server has used so far: its
# postmaster, its live processes, and those that have ended.
servercpu() {
	[ -n "${PGDATA:-}" ] || { echo 0; return; }
	local pm t=0 f
	pm=$(head -1 "$PGDATA/postmaster.pid")
	read -ra f < <(sed 's/.*) //' "/proc/$pm/stat")
	t=$((f[11] + f[12] + f[13] + f[14]))
	for p in $(pgrep -P "$pm"); do
		read -ra f < <(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null || echo)
		[ ${#f[@]} -gt 12 ] && t=$((t + f[11] + f[12]))
	done
	echo "$t $(getconf CLK_TCK)" | awk '{printf "%.1f", $1 / $2}'
}

before=$(servercpu)
start=$(date +%s.%N)
CELLSITE_TEST_POSTGRES=$dsn go test -run '^$' -bench 'InsertEvents/postgres' -benchtime "${events}x" -timeout 2h ./store | grep -E 'Benchmark|rows/s'
end=$(date +%s.%N)
after=$(servercpu)
if [ -n "${PGDATA:-}" ]; then
	awk -v a="$before" -v b="$after" -v n="$events" -v s="$start" -v e="$end" \
		'BEGIN { printf "server CPU: %.1f s for %d events (%.2f µs an event); wall %.1f s, schema set-up and benchmark start included\n", b - a, n, (b - a) * 1e6 / n, e - s }'
fi

if [ "$load" -gt 0 ]; then
	before=$(servercpu)
	go run ./scripts/pgbench -dsn "$dsn" -events "$load"
	after=$(servercpu)
	[ -n "${PGDATA:-}" ] && echo "server CPU during pgbench: $(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.1f", b - a }') s"
fi
