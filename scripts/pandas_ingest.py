"""Reads and cleanses a canonical Cellsite CDR with pandas, as a baseline for
scripts/bench-ingest.sh: identifiers kept as text, times parsed as UTC,
durations as integers, exact duplicate rows marked. It does less than
Cellsite's ingest (no hashing, no storage, no per-value checks)."""
import sys

import pandas as pd

df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
df["start"] = pd.to_datetime(df["Start (UTC)"], format="%Y-%m-%dT%H:%M:%SZ", utc=True, errors="coerce")
df["duration"] = pd.to_numeric(df["Duration (s)"], errors="coerce")
df["duplicate"] = df.duplicated()
print(len(df), int(df["duplicate"].sum()))
