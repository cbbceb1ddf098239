package casework

import (
	"fmt"

	"github.com/cellsite/cellsite/analysis"
)

// TowerDumpParams are the parameters of a tower dump: the scenes and how
// many of them a number must be seen at.
type TowerDumpParams struct {
	Scenes []analysis.Scene `json:"scenes"`
	K      int              `json:"k"` // default: every scene
}

func init() {
	Kinds = map[string]Kind{
		"timeline": {
			Summary:   "events of each target in order, with gaps, handovers and infeasible movement",
			NewParams: func() any { p := analysis.TimelineParams{}.Defaults(); return &p },
			Defaults:  func(p any) { *p.(*analysis.TimelineParams) = p.(*analysis.TimelineParams).Defaults() },
			Run: func(in Input, p any) (any, map[string]int64) {
				var out []analysis.TimelineResult
				c := map[string]int64{}
				for _, t := range in.Targets {
					r := analysis.Timeline(in.Located, t, *p.(*analysis.TimelineParams))
					c["entries"] += int64(len(r.Entries))
					c["gaps"] += int64(len(r.Gaps))
					c["infeasible"] += int64(len(r.Infeasible))
					out = append(out, r)
				}
				return out, c
			},
		},
		"colocation": {
			Summary:   "episodes when targets used cells whose service areas overlap (sized from the case's cell lists; or the same, co-sited or nearby cells) within a time window, and when they were far apart",
			NewParams: func() any { p := analysis.ColocationParams{}.Defaults(); return &p },
			Defaults:  func(p any) { *p.(*analysis.ColocationParams) = p.(*analysis.ColocationParams).Defaults() },
			Validate:  func(p any) error { return p.(*analysis.ColocationParams).Validate() },
			Run: func(in Input, p any) (any, map[string]int64) {
				r := analysis.Colocate(in.Located, in.Targets, in.Cells, *p.(*analysis.ColocationParams))
				return r, map[string]int64{"together": int64(len(r.Together)), "apart": int64(len(r.Apart))}
			},
		},
		"pattern": {
			Summary:   "pattern of life per target: events by hour and day (UK local), most-used cells, candidate home and work cells",
			NewParams: func() any { p := analysis.PatternParams{}.Defaults(); return &p },
			Defaults:  func(p any) { *p.(*analysis.PatternParams) = p.(*analysis.PatternParams).Defaults() },
			Run: func(in Input, p any) (any, map[string]int64) {
				var out []analysis.Pattern
				for _, t := range in.Targets {
					out = append(out, analysis.PatternOfLife(in.Located, t, *p.(*analysis.PatternParams)))
				}
				return out, map[string]int64{"targets": int64(len(out))}
			},
		},
		"contacts": {
			Summary:   "other parties per target, contacts common to several targets, and call chains",
			NewParams: func() any { p := analysis.ContactParams{}.Defaults(); return &p },
			Defaults:  func(p any) { *p.(*analysis.ContactParams) = p.(*analysis.ContactParams).Defaults() },
			Run: func(in Input, p any) (any, map[string]int64) {
				r := analysis.Contacts(in.Events, in.Targets, *p.(*analysis.ContactParams))
				return r, map[string]int64{"common": int64(len(r.Common)), "chains": int64(len(r.Chains))}
			},
		},
		"attribution": {
			Summary:   "handsets (IMEI) and SIMs (IMSI) used by each number over time; numbers sharing a handset",
			NewParams: func() any { p := analysis.AttributionParams{}.Defaults(); return &p },
			Defaults:  func(p any) { *p.(*analysis.AttributionParams) = p.(*analysis.AttributionParams).Defaults() },
			Run: func(in Input, p any) (any, map[string]int64) {
				r := analysis.Attribution(in.Events, *p.(*analysis.AttributionParams))
				return r, nil
			},
		},
		"sessions": {
			Summary:   "data records grouped into sessions by charging ID",
			NewParams: func() any { return &struct{}{} },
			Defaults:  func(any) {},
			Run: func(in Input, _ any) (any, map[string]int64) {
				s := analysis.DataSessions(in.Located)
				return s, map[string]int64{"sessions": int64(len(s))}
			},
		},
		"towerdump": {
			Summary:   "numbers seen at k or more scenes (cells and time windows), --params '{\"scenes\":[...],\"k\":2}'",
			NewParams: func() any { return &TowerDumpParams{} },
			Defaults:  func(any) {},
			Validate: func(p any) error {
				tp := p.(*TowerDumpParams)
				if len(tp.Scenes) == 0 {
					return fmt.Errorf(`give the scenes: {"scenes":[{"name":"A","cells":["234-30-129097582"],"from":"2026-03-01T10:00:00Z","to":"2026-03-01T12:00:00Z"}],"k":1}`)
				}
				for i, sc := range tp.Scenes {
					switch {
					case sc.Name == "":
						return fmt.Errorf("scene %d has no name", i+1)
					case len(sc.Cells) == 0:
						return fmt.Errorf("scene %s has no cells", sc.Name)
					case sc.From.IsZero() || sc.To.IsZero() || !sc.To.After(sc.From):
						return fmt.Errorf("scene %s: from and to must be RFC 3339 times with from before to", sc.Name)
					}
				}
				if tp.K < 0 || tp.K > len(tp.Scenes) {
					return fmt.Errorf("k = %d: want 1 to %d (0 means every scene)", tp.K, len(tp.Scenes))
				}
				return nil
			},
			Run: func(in Input, p any) (any, map[string]int64) {
				tp := p.(*TowerDumpParams)
				k := tp.K
				if k <= 0 {
					k = len(tp.Scenes)
				}
				r := analysis.TowerDump(in.Located, tp.Scenes, k)
				return r, map[string]int64{"scenes": int64(len(tp.Scenes)), "numbers": int64(len(r))}
			},
		},
	}
}
