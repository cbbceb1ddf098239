package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/api"
	"github.com/cellsite/cellsite/casework"
	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/mux"
	"gopkg.in/yaml.v2"
)

// prefix is where the API's routes live; the document's paths are
// relative to it (its server URL).
const prefix = "/api/v1"

// documented is the OpenAPI document's operations as "METHOD /path" with
// their operationId.
func documented(t *testing.T) map[string]string {
	t.Helper()
	var doc struct {
		OpenAPI string                            `yaml:"openapi"`
		Servers []struct{ URL string }            `yaml:"servers"`
		Paths   map[string]map[string]interface{} `yaml:"paths"`
		Other   map[string]interface{}            `yaml:",inline"`
	}
	if err := yaml.UnmarshalStrict(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Errorf("openapi: %q, want 3.0.x", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != prefix {
		t.Errorf("servers: %v, want one with url %s", doc.Servers, prefix)
	}
	out := map[string]string{}
	for p, item := range doc.Paths {
		for m, op := range item {
			switch m {
			case "parameters", "summary", "description":
				continue
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				t.Errorf("%s: %q is not an HTTP method", p, m)
				continue
			}
			fields, _ := op.(map[interface{}]interface{})
			id, _ := fields["operationId"].(string)
			out[strings.ToUpper(m)+" "+p] = id
		}
	}
	return out
}

// routes walks the server's router: every route with methods, as
// "METHOD /path" relative to prefix, with its name.
func routes(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	svc, err := casework.Open(ctx, casework.Config{Dir: t.TempDir(), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	h := api.NewServer(api.Config{}, api.Deps{Service: svc, Runner: svc.NewRunner(casework.RunnerConfig{})})
	r, ok := h.(*mux.Router)
	if !ok {
		t.Fatalf("NewServer returned a %T, not a *mux.Router", h)
	}
	out := map[string]string{}
	err = r.Walk(func(rt *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		methods, err := rt.GetMethods()
		if err != nil {
			return nil // a path prefix of a subrouter, not a route
		}
		tpl, err := rt.GetPathTemplate()
		if err != nil {
			return err
		}
		if strings.HasPrefix(rt.GetName(), "web.") && !strings.HasPrefix(tpl, prefix) {
			return nil // the web interface's page and files, not the API
		}
		p, ok := strings.CutPrefix(tpl, prefix)
		if !ok {
			return fmt.Errorf("route %s is outside %s", tpl, prefix)
		}
		for _, m := range methods {
			k := m + " " + p
			if _, dup := out[k]; dup {
				return fmt.Errorf("route %s twice", k)
			}
			out[k] = rt.GetName()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenAPIComplete fails on a route the document does not describe, an
// operation the document describes that is not a route, and an
// operationId that is not the route's name.
func TestOpenAPIComplete(t *testing.T) {
	doc, rs := documented(t), routes(t)
	if len(rs) < 30 {
		t.Fatalf("walked %d routes: the walk is broken", len(rs))
	}
	for _, k := range sortedKeys(rs) {
		id, ok := doc[k]
		if !ok {
			t.Errorf("route %s (%s) is not in api/openapi.yaml", k, rs[k])
			continue
		}
		if id != rs[k] {
			t.Errorf("%s: operationId %q, want the route's name %q", k, id, rs[k])
		}
	}
	for _, k := range sortedKeys(doc) {
		if _, ok := rs[k]; !ok {
			t.Errorf("api/openapi.yaml describes %s, which is not a route", k)
		}
	}
}

// TestOpenAPIRefs checks that every $ref names a component that exists, and
// that every operation says how errors look.
func TestOpenAPIRefs(t *testing.T) {
	var doc map[string]interface{}
	if err := yaml.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v interface{})
	walk = func(path string, v interface{}) {
		switch v := v.(type) {
		case map[interface{}]interface{}:
			for k, x := range v {
				ks := fmt.Sprint(k)
				if ks == "$ref" {
					ref, _ := x.(string)
					if !resolves(doc, ref) {
						t.Errorf("%s: $ref %q names nothing", path, ref)
					}
					continue
				}
				walk(path+"/"+ks, x)
			}
		case []interface{}:
			for i, x := range v {
				walk(fmt.Sprintf("%s/%d", path, i), x)
			}
		}
	}
	walk("#", doc)

	paths, _ := doc["paths"].(map[interface{}]interface{})
	for p, item := range paths {
		for m, op := range item.(map[interface{}]interface{}) {
			if m == "parameters" {
				continue
			}
			resp, _ := op.(map[interface{}]interface{})["responses"].(map[interface{}]interface{})
			if len(resp) == 0 {
				t.Errorf("%s %s: no responses", m, p)
			}
			public := p == "/openapi.yaml" || p == "/health"
			if _, ok := resp["401"]; !ok && !public {
				t.Errorf("%s %s: no 401 response", m, p)
			}
		}
	}
}

func resolves(doc map[string]interface{}, ref string) bool {
	parts, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur interface{} = doc
	for _, p := range strings.Split(parts, "/") {
		var m map[interface{}]interface{}
		switch c := cur.(type) {
		case map[string]interface{}:
			m = map[interface{}]interface{}{}
			for k, v := range c {
				m[k] = v
			}
		case map[interface{}]interface{}:
			m = c
		default:
			return false
		}
		if cur, ok = m[p]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPIServed checks that the document is served as written, without
// a token.
func TestOpenAPIServed(t *testing.T) {
	ctx := context.Background()
	svc, err := casework.Open(ctx, casework.Config{Dir: t.TempDir(), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(api.NewServer(api.Config{}, api.Deps{Service: svc, Runner: svc.NewRunner(casework.RunnerConfig{})}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + prefix + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/yaml" {
		t.Errorf("GET openapi.yaml: %s, %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	if diff := cmp.Diff(string(api.OpenAPI()), string(body)); diff != "" {
		t.Errorf("served document differs (-want +got):\n%s", diff)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
