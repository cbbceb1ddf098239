package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/store/storetest"
)

// BenchmarkAppendDurable measures provenance appends committed to SQLite
// with synchronous=FULL, batch leaves per transaction. ns/op is per leaf.
func BenchmarkAppendDurable(b *testing.B) {
	for _, batch := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db, _ := openTemp(b, "sqlite")
			l, _ := newLog(b)
			fill(b, db, l, 1, 1)
			ctx := context.Background()
			ls := make([]provenance.Leaf, batch)
			for i := range ls {
				ls[i] = leaf(i + 1)
			}
			b.ResetTimer()
			for done := 0; done < b.N; done += batch {
				if err := db.Update(ctx, func(tx *store.Tx) error {
					_, _, err := l.Append(ctx, tx, ls[:min(batch, b.N-done)]...)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

// BenchmarkVerify measures full verification of a log of n leaves.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			db, _ := openTemp(b, "sqlite")
			l, vk := newLog(b)
			fill(b, db, l, 1, 1)
			fill(b, db, l, n-1, 5000)
			b.ResetTimer()
			for range b.N {
				sum, err := verify(b, db, vk)
				if err != nil || sum.Leaves != int64(n) {
					b.Fatal(sum, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "leaves/s")
		})
	}
}

// benchEvents fills evs with the events first, first+1, ... of a
// synthetic export sorted by target then time, as operators' exports are:
// a target every 25,000 records (a year of them), each mostly on its own
// 30 cells of the case's 2,000, one record in five ending on another cell,
// one in three with no last cell (an SMS), field sizes as in an export.
func benchEvents(evs []cellsite.Event, src cellsite.Hash, first int) {
	const perTarget, cells = 25_000, 2000
	for j := range evs {
		i := first + j
		tn, k := i/perTarget, i%perTarget
		target := fmt.Sprintf("+4477009%05d", tn)
		h := uint64(i) * 0x9e3779b97f4a7c15
		c := (tn*13 + int(h>>40)%30) % cells
		if h%10 == 0 {
			c = int(h>>20) % cells
		}
		cell := fmt.Sprintf("234-30-%d", 129000000+c)
		last := cell
		switch {
		case h%5 == 1:
			last = fmt.Sprintf("234-30-%d", 129000000+(c+1+int(h>>50)%29)%cells)
		case h%3 == 2:
			last = ""
		}
		at := t0.Add(time.Duration(k) * 21 * time.Minute)
		evs[j] = cellsite.Event{Source: src, Row: i + 2, Target: target, TargetRaw: target[1:], Other: fmt.Sprintf("+4477009%05d", (i*31)%99991),
			OtherKind: "msisdn", OtherRaw: fmt.Sprintf("07700 9%05d", (i*31)%99991), Type: "voice", TypeRaw: "MOC", Direction: "out",
			Start: at, StartRaw: at.Format("02/01/2006 15:04:05"), TimeBasis: "uk-local", DurationS: int64(i % 600), DurationRaw: fmt.Sprint(i % 600),
			FirstCell: cell, FirstCellRaw: cell, LastCell: last, LastCellRaw: last, IMEI: "351234567890125", IMEIRaw: "351234567890125",
			IMSI: "234301234567890", IMSIRaw: "234301234567890", Bytes: -1}
	}
}

// BenchmarkInsertEvents measures the bulk load of an ingest's events, in
// one transaction, 4,096 events a call as ingest passes them: multi-row
// INSERTs on SQLite, COPY on PostgreSQL. b.N is the number of events; run
// with -benchtime 10000000x for the 10-million-event figure.
func BenchmarkInsertEvents(b *testing.B) {
	for _, backend := range storetest.Backends {
		b.Run(backend, func(b *testing.B) {
			db, _ := openTemp(b, backend)
			ctx := context.Background()
			src := cellsite.Sum([]byte("bench"))
			var sid int64
			if err := db.Update(ctx, func(tx *store.Tx) (err error) {
				if err := tx.CreateCase(ctx, cellsite.Case{Ref: "BENCH", Title: "t", CreatedAt: t0}); err != nil {
					return err
				}
				sid, err = tx.AddSource(ctx, cellsite.Source{Case: "BENCH", Kind: "cdr", Name: "f.csv", SHA256: src, Summary: []byte("{}")})
				return err
			}); err != nil {
				b.Fatal(err)
			}
			batch := make([]cellsite.Event, 4096)
			b.ResetTimer()
			err := db.Update(ctx, func(tx *store.Tx) error {
				for done := 0; done < b.N; done += len(batch) {
					evs := batch[:min(len(batch), b.N-done)]
					b.StopTimer()
					benchEvents(evs, src, done)
					b.StartTimer()
					if err := tx.InsertEvents(ctx, sid, "BENCH", evs); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
