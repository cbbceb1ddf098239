package analysis_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/google/go-cmp/cmp"
)

// dumpEvent returns an event of number at t0+offS naming first and last
// cells (by key; "" for none).
func dumpEvent(number string, row int, offS int64, first, last, typ string) analysis.Located {
	return analysis.Located{Event: cellsite.Event{Target: number, Row: row, Type: typ,
		Start: t0.Add(time.Duration(offS) * time.Second), FirstCell: first, LastCell: last}}
}

// sighted is the part of a tower dump result the table tests check.
type sighted struct {
	Number string
	Scenes []string // "name: index/which/cell ..." per scene
}

func sightings(cns []analysis.CommonNumber) []sighted {
	var out []sighted
	for _, cn := range cns {
		s := sighted{Number: cn.Number}
		for _, sc := range cn.Scenes {
			line := sc.Name + ":"
			for _, e := range sc.Events {
				line += fmt.Sprintf(" %d/%s/%s", e.Index, e.Which, e.Cell)
				if e.AtOrBefore {
					line += "/data"
				}
			}
			s.Scenes = append(s.Scenes, line)
		}
		out = append(out, s)
	}
	return out
}

func TestTowerDump(t *testing.T) {
	scenes := []analysis.Scene{
		{Name: "robbery", Cells: []string{"234-30-1", "234-30-2"}, From: t0, To: t0.Add(time.Hour)},
		{Name: "car found", Cells: []string{"234-10-7"}, From: t0.Add(3 * time.Hour), To: t0.Add(4 * time.Hour)},
		{Name: "lock-up", Cells: []string{"234-30-2", "234-20-9", "234-20-9"}, From: t0.Add(24 * time.Hour), To: t0.Add(26 * time.Hour)},
	}
	const (
		n1 = "+447700900001"
		n2 = "+447700900002"
		n3 = "+447700900003"
	)
	events := []analysis.Located{
		dumpEvent(n1, 1, 60, "234-30-1", "234-30-1", "voice"),         // 0: robbery
		dumpEvent(n1, 2, 3*3600+5, "234-10-7", "", "sms"),             // 1: car found
		dumpEvent(n1, 3, 25*3600, "234-20-8", "234-20-9", "voice"),    // 2: lock-up, by its last cell
		dumpEvent(n2, 1, 3600, "234-30-1", "", "voice"),               // 3: robbery's end: outside
		dumpEvent(n2, 2, 3599, "234-30-2", "234-30-1", "data"),        // 4: robbery, both cells
		dumpEvent(n2, 3, 24*3600, "234-30-2", "", "sms"),              // 5: lock-up (234-30-2 is both scenes' cell)
		dumpEvent(n3, 1, -1, "234-30-1", "", "voice"),                 // 6: before the robbery
		dumpEvent(n3, 2, 3*3600+1, "234-10-7", "234-10-7", "voice"),   // 7: car found
		dumpEvent(n3, 3, 3*3600+2, "234-10-7", "", "voice"),           // 8: car found again
		dumpEvent("+447700900004", 1, 30*3600, "234-20-9", "", "sms"), // 9: after the lock-up window
		func() analysis.Located { // 10: a repeated row
			l := dumpEvent(n3, 4, 24*3600+10, "234-20-9", "", "sms")
			l.DuplicateOf = 1
			return l
		}(),
	}
	tests := []struct {
		name string
		k    int
		want []sighted
	}{
		{"k=1", 1, []sighted{
			{n1, []string{"robbery: 0/first/234-30-1", "car found: 1/first/234-10-7", "lock-up: 2/last/234-20-9"}},
			{n2, []string{"robbery: 4/both/234-30-2/data", "lock-up: 5/first/234-30-2"}},
			{n3, []string{"car found: 7/first/234-10-7 8/first/234-10-7"}},
		}},
		{"k=0 counts as 1", 0, []sighted{
			{n1, []string{"robbery: 0/first/234-30-1", "car found: 1/first/234-10-7", "lock-up: 2/last/234-20-9"}},
			{n2, []string{"robbery: 4/both/234-30-2/data", "lock-up: 5/first/234-30-2"}},
			{n3, []string{"car found: 7/first/234-10-7 8/first/234-10-7"}},
		}},
		{"k=2", 2, []sighted{
			{n1, []string{"robbery: 0/first/234-30-1", "car found: 1/first/234-10-7", "lock-up: 2/last/234-20-9"}},
			{n2, []string{"robbery: 4/both/234-30-2/data", "lock-up: 5/first/234-30-2"}},
		}},
		{"k=3", 3, []sighted{
			{n1, []string{"robbery: 0/first/234-30-1", "car found: 1/first/234-10-7", "lock-up: 2/last/234-20-9"}},
		}},
		{"k=4", 4, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := analysis.TowerDump(events, scenes, tc.k)
			if got == nil {
				t.Fatal("nil result")
			}
			if diff := cmp.Diff(tc.want, sightings(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("shuffled input gives the same numbers, scenes and events", func(t *testing.T) {
		want := sightings(analysis.TowerDump(events, scenes, 1))
		rng := rand.New(rand.NewPCG(3, 3))
		for range 20 {
			shuffled := append([]analysis.Located(nil), events...)
			perm := rng.Perm(len(shuffled))
			for i, p := range perm {
				shuffled[p] = events[i]
			}
			got := analysis.TowerDump(shuffled, scenes, 1)
			for _, cn := range got {
				for s := range cn.Scenes {
					for e := range cn.Scenes[s].Events {
						cn.Scenes[s].Events[e].Index = indexOf(perm, cn.Scenes[s].Events[e].Index)
					}
				}
			}
			if diff := cmp.Diff(want, sightings(got)); diff != "" {
				t.Fatalf("(-in order +shuffled):\n%s", diff)
			}
		}
	})
	t.Run("evidence", func(t *testing.T) {
		ev := []analysis.Located{dumpEvent(n1, 9, 60, "234-30-1", "", "data")}
		ev[0].TimeFlag = "ambiguous"
		got := analysis.TowerDump(ev, scenes[:1], 1)
		want := []analysis.CommonNumber{{Number: n1, Scenes: []analysis.SceneSighting{{Scene: 0, Name: "robbery",
			Events: []analysis.SceneEvent{{Index: 0, Row: 9, Start: t0.Add(time.Minute), TimeFlag: "ambiguous", Cell: "234-30-1", Which: "first", AtOrBefore: true}}}}}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("no scenes", func(t *testing.T) {
		if got := analysis.TowerDump(events, nil, 1); got == nil || len(got) != 0 {
			t.Errorf("got %v, want an empty result", got)
		}
	})
}

// indexOf returns the position of v in xs.
func indexOf(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}

// BenchmarkTowerDump runs TowerDump with 10 scenes of 6 cells and 2 hours
// each over 1,000,000 events of 20,000 numbers on 5,000 cells over 30 days.
func BenchmarkTowerDump(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	const n, numbers, cells = 1_000_000, 20_000, 5_000
	key := func(c int) string { return fmt.Sprintf("234-30-%d", 1000+c) }
	keys := make([]string, cells)
	for c := range keys {
		keys[c] = key(c)
	}
	nums := make([]string, numbers)
	for k := range nums {
		nums[k] = fmt.Sprintf("+4477009%05d", k)
	}
	events := make([]analysis.Located, n)
	for i := range events {
		l := &events[i]
		l.Target, l.Row, l.Type = nums[rng.IntN(numbers)], i+1, "voice"
		l.Start = from.Add(time.Duration(rng.Int64N(30*86400)) * time.Second)
		l.FirstCell = keys[rng.IntN(cells)]
		if rng.IntN(3) == 0 {
			l.LastCell = keys[rng.IntN(cells)]
		}
	}
	var scenes []analysis.Scene
	for s := range 10 {
		sc := analysis.Scene{Name: fmt.Sprintf("scene %d", s+1), From: from.Add(time.Duration(rng.IntN(29*24)) * time.Hour)}
		sc.To = sc.From.Add(2 * time.Hour)
		for range 6 {
			sc.Cells = append(sc.Cells, keys[rng.IntN(cells)])
		}
		scenes = append(scenes, sc)
	}
	runtime.GC()
	b.ResetTimer()
	var r []analysis.CommonNumber
	for b.Loop() {
		r = analysis.TowerDump(events, scenes, 1)
	}
	b.ReportMetric(float64(len(r)), "numbers")
}
