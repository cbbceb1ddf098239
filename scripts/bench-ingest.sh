#!/usr/bin/env bash
# End-to-end ingest benchmark: writes a synthetic CDR of EVENTS rows (default
# 1,000,000) in the canonical layout, ingests it into a fresh data directory
# (hash, store the original, parse, cleanse, store events, append the
# provenance leaf) and prints wall time and peak memory. When Python's pandas
# is installed (Debian python3-pandas), the same file is also read and
# cleansed with pandas and the ratio is printed.
#
# Usage: scripts/bench-ingest.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/cellsite" ./cmd/cellsite
"$work/cellsite" synth --seed 1 --scenario scale --events "$events" --out "$work/synth" >/dev/null
file=$(ls "$work"/synth/cdr/*.csv)
size=$(stat -c %s "$file")
"$work/cellsite" case create BENCH --title "ingest benchmark" --data "$work/data" >/dev/null

measure() { # prints "SECONDS PEAK_KB" for the command given
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
		cat "$work/time"
	else
		local start end
		start=$(date +%s.%N)
		"$@" >/dev/null
		end=$(date +%s.%N)
		echo "$(echo "$end - $start" | bc) 0"
	fi
}

read -r secs kb < <(measure "$work/cellsite" ingest --data "$work/data" --case BENCH --kind cdr "$file")
printf 'cellsite ingest: %d rows, %d MB file: %.2f s, %d MB peak, %.0f rows/s\n' \
	"$events" $((size / 1000000)) "$secs" $((kb / 1024)) "$(echo "$events / $secs" | bc -l)"

py=${PYTHON:-python3}
[ -x /usr/bin/python3 ] && py=${PYTHON:-/usr/bin/python3} # Debian's python3-pandas installs there
if "$py" -c 'import pandas' 2>/dev/null; then
	read -r psecs pkb < <(measure "$py" scripts/pandas_ingest.py "$file")
	printf 'pandas read_csv + cleansing: %.2f s, %d MB peak (cellsite is %.1fx the speed of pandas)\n' \
		"$psecs" $((pkb / 1024)) "$(echo "$psecs / $secs" | bc -l)"
else
	echo "pandas not installed (apt-get install python3-pandas): no comparison"
fi
