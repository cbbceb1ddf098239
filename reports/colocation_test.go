package reports_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/reports"
)

// TestColocationScheduleServiceRadius checks that the co-location
// schedule gives each event's service radius when the analysis used basis
// service-area, and has no such column on another basis.
func TestColocationScheduleServiceRadius(t *testing.T) {
	const header = "Service radius (m)"
	tp, err := builtins(t).Get("colocation-schedule")
	if err != nil {
		t.Fatal(err)
	}
	in, located := fixture(t)
	ctx := context.Background()
	schedule := func(in reports.Input) (reports.Schedule, map[string]int) {
		p, err := reports.Prepare(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		s := p.Schedule(ctx, tp)
		col := map[string]int{}
		for i, c := range s.Columns {
			col[c.Title()] = i
		}
		return s, col
	}

	// Without a cell list, the radii come from the events' own masts.
	areas := analysis.Colocate(located, in.Colocation.Targets, nil, analysis.ColocationParams{Basis: analysis.BasisServiceArea})
	in.Colocation = &areas
	var radii []float64
	for _, eps := range [][]analysis.ColocationEpisode{in.Colocation.Together, in.Colocation.Apart} {
		for _, ep := range eps {
			for _, evs := range [][]analysis.ColocationEvent{ep.EventsA, ep.EventsB} {
				for _, e := range evs {
					radii = append(radii, float64(e.AreaRadiusM))
				}
			}
		}
	}
	if len(radii) == 0 {
		t.Fatal("the fixture's co-location analysis has no evidential events")
	}
	s, col := schedule(in)
	at, ok := col[header]
	if !ok {
		t.Fatalf("no %q column with basis service-area: %v", header, col)
	}
	var got []float64
	if err := s.Rows(func(v []reports.Value) error {
		if v[at].Kind != reports.FloatKind {
			t.Errorf("row %d: service radius %+v, want a number", len(got)+1, v[at])
		}
		got = append(got, v[at].Float)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(radii)
	if !slices.Equal(got, radii) {
		t.Errorf("service radii on the schedule %v, want the evidential events' %v", got, radii)
	}

	nearby := analysis.Colocate(located, in.Colocation.Targets, nil, analysis.ColocationParams{Basis: analysis.BasisNearby})
	in.Colocation = &nearby
	if _, col := schedule(in); len(col) == 0 {
		t.Error("no columns with basis nearby")
	} else if _, ok := col[header]; ok {
		t.Errorf("a %q column with basis nearby", header)
	}
}

// TestColocationFindings checks that the summary of findings names the
// co-location basis and describes "together" in its terms.
func TestColocationFindings(t *testing.T) {
	in, located := fixture(t)
	nearby := analysis.Colocate(located, in.Colocation.Targets, nil, analysis.ColocationParams{Basis: analysis.BasisNearby})
	for _, tc := range []struct {
		name string
		co   *analysis.Colocation
		want []string
	}{
		{"default basis", in.Colocation, []string{"(service-area, window 900 s,", "when their phones used cells whose modelled service areas overlap"}},
		{"nearby", &nearby, []string{"(nearby, window 900 s, distance 1000 m)", "when their phones used the same or nearby cells"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := in
			in.Colocation = tc.co
			p, err := reports.Prepare(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(reports.Findings(p), "\n")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("findings lack %q:\n%s", w, text)
				}
			}
		})
	}
}
