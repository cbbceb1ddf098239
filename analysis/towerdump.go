package analysis

import (
	"slices"
	"time"

	"github.com/cellsite/cellsite"
)

// Scene is a place and time of interest for a tower dump: the cells that
// serve the place and the period [From, To).
type Scene struct {
	Name  string    `json:"name"`
	Cells []string  `json:"cells"` // canonical cell keys
	From  time.Time `json:"from"`
	To    time.Time `json:"to"` // exclusive
}

// SceneEvent is one event that shows a number at a scene: the phone used
// one of the scene's cells during the scene's period.
type SceneEvent struct {
	// Index is the event's position in the events given to TowerDump.
	Index    int           `json:"index"`
	Source   cellsite.Hash `json:"source"` // the original file, sheet and row it came from
	Sheet    string        `json:"sheet,omitempty"`
	Row      int           `json:"row"`
	Start    time.Time     `json:"start"`
	TimeFlag string        `json:"time_flag,omitempty"` // as on the event: ambiguous or impossible local time
	Cell     string        `json:"cell"`                // the scene's cell the event names (its first cell if both are)
	// Which says which of the event's cells are the scene's: "first",
	// "last" or "both".
	Which string `json:"which"`
	// AtOrBefore is set for data sessions: the record means the phone
	// used the cell at or before the start time, not necessarily at it.
	AtOrBefore bool `json:"at_or_before"`
}

// SceneSighting is a scene at which a number was seen, with the events
// that show it there, in time order.
type SceneSighting struct {
	Scene  int          `json:"scene"` // position in the scenes given to TowerDump
	Name   string       `json:"name"`
	Events []SceneEvent `json:"events"`
}

// CommonNumber is a number seen at several scenes, with the scenes in the
// order they were given.
type CommonNumber struct {
	Number string          `json:"number"`
	Scenes []SceneSighting `json:"scenes"`
}

// TowerDump finds the numbers seen at k or more of the scenes (k below 1
// counts as 1). A number is seen at a scene when one of its events, as the
// target (the phone that used the cell), names one of the scene's cells
// as its first or last cell and starts within [From, To); a scene whose
// To is not after its From sees nothing. Cells are matched by key, as a
// tower dump is requested, whether or not they resolve against a cell
// list; repeated rows (DuplicateOf set) and events without a target are
// left out. The result is sorted by the number of scenes, most first,
// then by number; each number's scenes are in the order given, and each
// scene's events in time order (then source, sheet and row). It is empty,
// not nil, when no number qualifies.
func TowerDump(events []Located, scenes []Scene, k int) []CommonNumber {
	k = max(k, 1)
	byCell := map[string][]int{}
	for s := range scenes {
		for _, c := range scenes[s].Cells {
			if c != "" && !slices.Contains(byCell[c], s) {
				byCell[c] = append(byCell[c], s)
			}
		}
	}
	type sighting struct {
		scene int
		event int
		which string
		cell  string
	}
	byNumber := map[string][]sighting{}
	if len(byCell) > 0 {
		for i := range events {
			e := &events[i]
			if e.DuplicateOf != 0 || e.Target == "" {
				continue
			}
			first, last := byCell[e.FirstCell], byCell[e.LastCell]
			if first == nil && last == nil {
				continue
			}
			if e.LastCell == e.FirstCell {
				last = nil
			}
			for _, s := range first {
				if !tdInScene(&scenes[s], e.Start) {
					continue
				}
				which := "first"
				if slices.Contains(last, s) {
					which = "both"
				}
				byNumber[e.Target] = append(byNumber[e.Target], sighting{s, i, which, e.FirstCell})
			}
			for _, s := range last {
				if !tdInScene(&scenes[s], e.Start) || slices.Contains(first, s) {
					continue
				}
				byNumber[e.Target] = append(byNumber[e.Target], sighting{s, i, "last", e.LastCell})
			}
		}
	}
	out := []CommonNumber{}
	for number, ss := range byNumber {
		slices.SortFunc(ss, func(x, y sighting) int {
			if x.scene != y.scene {
				return x.scene - y.scene
			}
			return coCompareEvents(events, x.event, y.event)
		})
		n := 1
		for j := 1; j < len(ss); j++ {
			if ss[j].scene != ss[j-1].scene {
				n++
			}
		}
		if n < k {
			continue
		}
		cn := CommonNumber{Number: number, Scenes: make([]SceneSighting, 0, n)}
		for _, s := range ss {
			if len(cn.Scenes) == 0 || cn.Scenes[len(cn.Scenes)-1].Scene != s.scene {
				cn.Scenes = append(cn.Scenes, SceneSighting{Scene: s.scene, Name: scenes[s.scene].Name})
			}
			e := &events[s.event]
			sc := &cn.Scenes[len(cn.Scenes)-1]
			sc.Events = append(sc.Events, SceneEvent{Index: s.event, Source: e.Source, Sheet: e.Sheet, Row: e.Row,
				Start: e.Start, TimeFlag: e.TimeFlag, Cell: s.cell,
				Which: s.which, AtOrBefore: e.Type == "data"})
		}
		out = append(out, cn)
	}
	slices.SortFunc(out, func(x, y CommonNumber) int {
		if len(x.Scenes) != len(y.Scenes) {
			return len(y.Scenes) - len(x.Scenes)
		}
		if x.Number < y.Number {
			return -1
		}
		if x.Number > y.Number {
			return 1
		}
		return 0
	})
	return out
}

func tdInScene(s *Scene, t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }
