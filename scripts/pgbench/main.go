// Command pgbench measures Cellsite's events on PostgreSQL at a force's
// volumes: it loads synthetic cases through the store's own bulk load (COPY)
// until the database holds the events asked for, then times the two
// queries investigations lean on, through the store's own Events, with
// random parameters, and prints their latency percentiles and query plans.
//
//	go run ./scripts/pgbench -dsn 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable&search_path=bench' -events 100000000
//
// The cases are BENCH-000, BENCH-001, ...; each has -targets targets (one
// source each, as one operator export per phone), a year of records, and
// -cells cells. A second run with the same flags loads nothing more and
// only measures. Figures and plans are in docs/PERFORMANCE.md.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
	_ "github.com/jackc/pgx/v5/stdlib"
)

type options struct {
	dsn, data      string
	events         int64
	perCase        int64
	targets, cells int
	queries        int
	explain        bool
}

func main() {
	var o options
	flag.StringVar(&o.dsn, "dsn", os.Getenv("CELLSITE_DB"), "PostgreSQL `URL` of the database to load and query (default $CELLSITE_DB)")
	flag.StringVar(&o.data, "data", "", "data `directory` of the installation [a temporary one]")
	flag.Int64Var(&o.events, "events", 10_000_000, "events the database should hold")
	flag.Int64Var(&o.perCase, "case-events", 5_000_000, "events per case")
	flag.IntVar(&o.targets, "targets", 200, "targets (sources) per case")
	flag.IntVar(&o.cells, "cells", 2000, "cells per case")
	flag.IntVar(&o.queries, "queries", 1000, "queries of each kind to time")
	flag.BoolVar(&o.explain, "explain", true, "print EXPLAIN (ANALYZE, BUFFERS) of one query of each kind")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "pgbench:", err)
		os.Exit(1)
	}
}

var year = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func caseRef(i int) string { return fmt.Sprintf("BENCH-%03d", i) }

func run(ctx context.Context, o options) error {
	if o.dsn == "" {
		return fmt.Errorf("-dsn is required")
	}
	if o.data == "" {
		d, err := os.MkdirTemp("", "cellsite-pgbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		o.data = d
	}
	db, err := store.Open(ctx, store.Config{Dir: o.data, DSN: o.dsn, Create: true})
	if err != nil {
		return err
	}
	defer db.Close()
	raw, err := sql.Open("pgx", rawDSN(o.dsn))
	if err != nil {
		return err
	}
	defer raw.Close()

	cases := int((o.events + o.perCase - 1) / o.perCase)
	for i := range cases {
		if err := loadCase(ctx, db, raw, o, i); err != nil {
			return err
		}
	}
	if _, err := raw.ExecContext(ctx, `ANALYZE events`); err != nil {
		return err
	}
	var total int64
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&total); err != nil {
		return err
	}
	fmt.Printf("events: %d in %d cases\n", total, cases)
	if err := sizes(ctx, raw); err != nil {
		return err
	}

	rng := rand.New(rand.NewPCG(42, 7))
	byTarget := func() store.EventFilter {
		c := rng.IntN(cases)
		from := year.Add(time.Duration(rng.Int64N(int64(358 * 24 * time.Hour))))
		return store.EventFilter{Case: caseRef(c), Target: target(c, rng.IntN(o.targets)), From: from.UnixNano(), To: from.Add(7 * 24 * time.Hour).UnixNano()}
	}
	byCells := func() store.EventFilter {
		c := rng.IntN(cases)
		from := year.Add(time.Duration(rng.Int64N(int64(364 * 24 * time.Hour))))
		var cs []string
		for range 3 {
			cs = append(cs, cell(c, rng.IntN(o.cells)))
		}
		return store.EventFilter{Case: caseRef(c), Cells: cs, From: from.UnixNano(), To: from.Add(24 * time.Hour).UnixNano()}
	}
	for _, q := range []struct {
		name string
		next func() store.EventFilter
	}{
		{"a target's events in a week", byTarget},
		{"events on 3 cells in a day", byCells},
	} {
		if err := measure(ctx, db, o, q.name, q.next); err != nil {
			return err
		}
	}
	return nil
}

// rawDSN drops the store's own URL parameters.
func rawDSN(dsn string) string {
	if i := strings.Index(dsn, "pool_max_conns="); i > 0 {
		j := strings.IndexByte(dsn[i:], '&')
		if j < 0 {
			return strings.TrimRight(dsn[:i], "&?")
		}
		return dsn[:i] + dsn[i+j+1:]
	}
	return dsn
}

func target(c, t int) string { return fmt.Sprintf("+44770%02d%05d", c%100, t) }

func cell(c, k int) string { return fmt.Sprintf("234-30-%d", 120000000+c*10000+k) }

// loadCase creates case i and loads its events unless it is there.
func loadCase(ctx context.Context, db *store.DB, raw *sql.DB, o options, i int) error {
	ref := caseRef(i)
	var have int64
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM sources WHERE case_ref = $1`, ref).Scan(&have); err != nil {
		return err
	}
	if have == int64(o.targets) {
		return nil
	}
	if have != 0 {
		return fmt.Errorf("case %s is half loaded (%d sources): use a new database", ref, have)
	}
	start := time.Now()
	per := int(o.perCase / int64(o.targets))
	rng := rand.New(rand.NewPCG(uint64(i), 1))
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCase(ctx, cellsite.Case{Ref: ref, Title: "Synthetic load " + ref, CreatedAt: time.Now().UTC(), CreatedBy: "pgbench"}); err != nil {
			return err
		}
		batch := make([]cellsite.Event, 0, 4096)
		for t := range o.targets {
			tgt := target(i, t)
			src := cellsite.Sum([]byte(ref + tgt))
			sid, err := tx.AddSource(ctx, cellsite.Source{Case: ref, Kind: "cdr", Name: tgt[1:] + ".csv", SHA256: src, Summary: []byte("{}"), IngestedAt: time.Now().UTC()})
			if err != nil {
				return err
			}
			// A phone's pattern of life: mostly a few dozen cells.
			home := make([]string, 30)
			for k := range home {
				home[k] = cell(i, rng.IntN(o.cells))
			}
			offsets := make([]int64, per)
			for k := range offsets {
				offsets[k] = rng.Int64N(int64(365 * 24 * time.Hour))
			}
			slices.Sort(offsets)
			for k, off := range offsets {
				at := year.Add(time.Duration(off))
				first := home[rng.IntN(len(home))]
				if rng.IntN(10) == 0 {
					first = cell(i, rng.IntN(o.cells))
				}
				last := first
				switch rng.IntN(15) {
				case 0, 1, 2: // one in five ends on another cell
					last = home[rng.IntN(len(home))]
				case 3, 4, 5, 6, 7: // one in three has none (an SMS)
					last = ""
				}
				other := fmt.Sprintf("+447700%06d", rng.IntN(1000000))
				batch = append(batch, cellsite.Event{Source: src, Row: k + 2, Target: tgt, TargetRaw: tgt, Other: other, OtherKind: "msisdn", OtherRaw: other[3:],
					Type: "voice", TypeRaw: "MOC", Direction: "out", Start: at, StartRaw: at.Format("02/01/2006 15:04:05"), TimeBasis: "utc",
					DurationS: rng.Int64N(900), DurationRaw: "0", FirstCell: first, FirstCellRaw: first, LastCell: last, LastCellRaw: last,
					IMEI: "351234567890125", IMEIRaw: "351234567890125", IMSI: "234301234567890", IMSIRaw: "234301234567890", Bytes: -1})
				if len(batch) == cap(batch) {
					if err := tx.InsertEvents(ctx, sid, ref, batch); err != nil {
						return err
					}
					batch = batch[:0]
				}
			}
			if err := tx.InsertEvents(ctx, sid, ref, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load %s: %w", ref, err)
	}
	n := per * o.targets
	el := time.Since(start)
	fmt.Printf("loaded %s: %d events in %.1f s (%.0f events/s, generation included)\n", ref, n, el.Seconds(), float64(n)/el.Seconds())
	return nil
}

func sizes(ctx context.Context, raw *sql.DB) error {
	var heap, idx int64
	err := raw.QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_table_size(c.oid)), 0), COALESCE(SUM(pg_indexes_size(c.oid)), 0)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
		WHERE p.relname = 'events' AND p.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`).Scan(&heap, &idx)
	if err != nil {
		return err
	}
	fmt.Printf("events on disk: table %.1f GiB, indexes %.1f GiB\n", float64(heap)/(1<<30), float64(idx)/(1<<30))
	rows, err := raw.QueryContext(ctx, `SELECT ci.relname, pg_relation_size(i.indexrelid)
		FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
		WHERE c.relname LIKE 'events_s%' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`)
	if err != nil {
		return err
	}
	defer rows.Close()
	per := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return err
		}
		// events_s123_first_cell → first_cell
		kind := strings.TrimLeft(strings.TrimPrefix(name, "events_s"), "0123456789")
		per[strings.TrimPrefix(kind, "_")] += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var kinds []string
	for k := range per {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Printf("  index %-12s %.1f GiB\n", k, float64(per[k])/(1<<30))
	}
	return nil
}

func measure(ctx context.Context, db *store.DB, o options, name string, next func() store.EventFilter) error {
	lat := make([]time.Duration, 0, o.queries)
	var rows int64
	for range o.queries {
		f := next()
		start := time.Now()
		err := db.View(ctx, func(tx *store.Tx) error {
			return tx.Events(ctx, f, func(cellsite.Event, int64) error { rows++; return nil })
		})
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("%s: %d queries, %.1f rows each; p50 %v, p95 %v, p99 %v, max %v\n", name, len(lat), float64(rows)/float64(len(lat)),
		pct(0.50).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	if o.explain {
		f := next()
		var plan string
		err := db.View(ctx, func(tx *store.Tx) error {
			var err error
			plan, err = tx.ExplainEvents(ctx, f)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("plan:\n%s\n", plan)
	}
	return nil
}
