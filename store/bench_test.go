package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// BenchmarkAppendDurable measures provenance appends committed to SQLite
// with synchronous=FULL, batch leaves per transaction. ns/op is per leaf.
func BenchmarkAppendDurable(b *testing.B) {
	for _, batch := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := openTemp(b)
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
			db := openTemp(b)
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
