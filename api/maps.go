package api

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/reports"
	"github.com/cellsite/cellsite/store"
)

// mapView describes one map of a case, without its features.
type mapView struct {
	ID       int       `json:"id"` // from 1, as "map" in the pack's maps.geojson
	Title    string    `json:"title"`
	Subtitle string    `json:"subtitle"`
	Schedule string    `json:"schedule"` // whose row numbers the events carry
	Targets  []string  `json:"targets"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Events   int       `json:"events"`
}

type cellListView struct {
	Name   string        `json:"name"`
	SHA256 cellsite.Hash `json:"sha256"`
}

// listMaps lists the maps a pack of the case would draw: one per target,
// then one per episode of the latest co-location analysis.
func (s *server) listMaps(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	cm, err := s.caseMaps(r.Context(), c.Ref)
	if err != nil {
		return err
	}
	out := []mapView{}
	for i, m := range cm.Maps {
		out = append(out, mapView{ID: i + 1, Title: m.Title, Subtitle: m.Subtitle, Schedule: m.Schedule, Targets: nonNil(m.Targets),
			From: m.From, To: m.To, Events: len(m.Events)})
	}
	lists := []cellListView{}
	if len(cm.Maps) > 0 {
		for _, l := range cm.Maps[0].CellLists {
			lists = append(lists, cellListView{Name: l.Name, SHA256: l.SHA256})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"maps": out, "cell_lists": lists, "local_basis": cm.LocalBasis, "colocation": cm.Colocation,
		"default_beamwidth_deg": analysis.SectorBeamwidthDeg})
	return nil
}

// getMap returns one map's features as GeoJSON, exactly as the pack's
// maps.geojson holds them.
func (s *server) getMap(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cm, err := s.caseMaps(r.Context(), c.Ref)
	if err != nil {
		return err
	}
	if id > int64(len(cm.Maps)) {
		return cellsite.Errorf(cellsite.NotFound, "map", "no map %d in case %s (it has %d)", id, c.Ref, len(cm.Maps))
	}
	var buf bytes.Buffer
	if err := reports.WriteMapGeoJSON(&buf, cm.Maps, int(id-1)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, err = w.Write(buf.Bytes())
	return err
}

// mapsCache keeps the maps of the cases drawn last, each with the case's
// last provenance leaf when it was drawn. Every step that changes what the
// maps draw (an ingest, an analysis) appends a leaf of the case, so the
// maps of the same last leaf are the same. The interface reads the list of
// maps, then a map: one pass over the case's events serves both.
type mapsCache struct {
	mu    sync.Mutex
	cases map[string]cachedMaps
}

type cachedMaps struct {
	leaf int64
	maps *casework.CaseMaps
}

// mapsCached bounds how many cases' maps are kept.
const mapsCached = 8

// caseMaps returns the maps of a case, drawn again only when the case has
// a new leaf.
func (s *server) caseMaps(ctx context.Context, ref string) (*casework.CaseMaps, error) {
	var leaf int64 = -1
	err := s.db.View(ctx, func(tx *store.Tx) error {
		idx, err := tx.LeafIndexes(ctx, ref)
		if len(idx) > 0 {
			leaf = idx[len(idx)-1]
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.maps.mu.Lock()
	c, ok := s.maps.cases[ref]
	s.maps.mu.Unlock()
	if ok && c.leaf == leaf {
		return c.maps, nil
	}
	cm, err := s.svc.Maps(ctx, ref)
	if err != nil {
		return nil, err
	}
	s.maps.mu.Lock()
	defer s.maps.mu.Unlock()
	if s.maps.cases == nil {
		s.maps.cases = map[string]cachedMaps{}
	}
	for k := range s.maps.cases {
		if len(s.maps.cases) < mapsCached {
			break
		}
		delete(s.maps.cases, k)
	}
	s.maps.cases[ref] = cachedMaps{leaf: leaf, maps: cm}
	return cm, nil
}
