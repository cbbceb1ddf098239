package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/api"
	"github.com/cellsite/cellsite/store"
)

// TestValidation sends requests that are malformed, have unknown or bad
// fields, or are too large; each must be refused with the field named,
// change nothing and be audited.
func TestValidation(t *testing.T) {
	e := newEnv(t, envOptions{cfg: api.Config{MaxBody: 4096, MaxUpload: 64 << 10}})
	sc := meetingScenario(t)
	const ref = "OP-VALID"
	e.seedCase(ref, sc)
	ana := e.newUser("ana", store.RoleAnalyst)
	e.admin.must("POST", "/cases/"+ref+"/members", map[string]string{"user": "ana"}, http.StatusCreated, nil)
	var pl struct{ Packs []store.Pack }
	e.admin.must("GET", "/cases/"+ref+"/packs", nil, http.StatusOK, &pl)

	cp := "/cases/" + ref
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		field  string // the field named in "fields"; "" when the error has none
	}{
		{"malformed JSON", "POST", "/cases", `{"ref": "OP-X", `, 400, "body"},
		{"not JSON", "POST", "/cases", `ref=OP-X`, 400, "body"},
		{"empty body", "POST", "/cases", ``, 400, "body"},
		{"two values", "POST", "/cases", `{"ref":"OP-X","title":"t"} {}`, 400, "body"},
		{"unknown field", "POST", "/cases", `{"ref":"OP-X","title":"t","colour":"red"}`, 400, "colour"},
		{"wrong type", "POST", "/cases", `{"ref":7,"title":"t"}`, 400, "ref"},
		{"missing field", "POST", "/cases", `{"ref":"OP-X"}`, 400, "title"},
		{"too long", "POST", "/cases", `{"ref":"` + strings.Repeat("A", 65) + `","title":"t"}`, 400, "ref"},
		{"traversal in a case reference", "POST", "/cases", `{"ref":"../../etc","title":"t"}`, 400, "ref"},
		{"oversize body", "POST", "/cases", `{"ref":"OP-X","title":"` + long + `"}`, 413, ""},
		{"bad role", "POST", "/users", `{"name":"eve","display":"Eve","role":"superuser","password":"long-enough-password"}`, 400, "role"},
		{"short password", "POST", "/users", `{"name":"eve","display":"Eve","role":"analyst","password":"short"}`, 400, "password"},
		{"traversal in a user name", "POST", "/users", `{"name":"../eve","display":"Eve","role":"analyst","password":"long-enough-password"}`, 400, "name"},
		{"token days", "POST", "/tokens", `{"label":"ci","days":1000}`, 400, "days"},
		{"unknown member", "POST", cp + "/members", `{"user":"nobody"}`, 400, "user"},
		{"bad cron spec", "POST", cp + "/triggers", `{"spec":"61 * * * *"}`, 400, "spec"},
		{"six-field cron spec", "POST", cp + "/triggers", `{"spec":"0 0 6 * * *"}`, 400, "spec"},
		{"zone in the spec", "POST", cp + "/triggers", `{"spec":"CRON_TZ=UTC 0 6 * * *"}`, 400, "spec"},
		{"unknown zone", "POST", cp + "/triggers", `{"spec":"0 6 * * *","zone":"Mars/Olympus_Mons"}`, 400, "zone"},
		{"server's zone", "POST", cp + "/triggers", `{"spec":"0 6 * * *","zone":"Local"}`, 400, "zone"},
		{"bad kind", "POST", cp + "/analyses", `{"kind":"astrology"}`, 400, "kind"},
		{"bad parameters", "POST", cp + "/analyses", `{"kind":"colocation","params":{"window_s":"soon"}}`, 400, "params"},
		{"unknown parameter", "POST", cp + "/analyses", `{"kind":"colocation","params":{"radius":5}}`, 400, "params"},
		{"tower dump without scenes", "POST", cp + "/analyses", `{"kind":"towerdump"}`, 400, "params"},
		{"too many targets", "POST", cp + "/analyses", `{"kind":"colocation","targets":[` + strings.TrimSuffix(strings.Repeat(`"1",`, 51), ",") + `]}`, 400, "targets"},
		{"bad pack time", "POST", cp + "/packs", `{"generated_at":"yesterday"}`, 400, "generated_at"},
		{"bad limit", "GET", cp + "/events?limit=0", nil, 400, "limit"},
		{"bad page", "GET", cp + "/events?page=-1", nil, 400, "page"},
		{"bad time", "GET", cp + "/events?from=yesterday", nil, 400, "from"},
		{"bad target", "GET", cp + "/events?target=nobody", nil, 400, "target"},
		{"bad format", "GET", cp + "/events?format=xml", nil, 400, "format"},
	}
	if len(pl.Packs) > 0 {
		t.Fatal("the seeded case has packs")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			who := ana
			if strings.HasPrefix(tc.path, "/users") {
				who = e.admin
			}
			r := who.do(tc.method, tc.path, tc.body)
			checkRefusal(t, r, tc.status, tc.field)
		})
	}

	cells := sc.read(t, sc.files("cells")[0])
	uploads := []struct {
		name     string
		fields   []formField
		fileName string
		content  []byte
		status   int
		field    string
	}{
		{"bad kind", []formField{{"kind", "photos"}}, "x.csv", cells, 400, "kind"},
		{"no kind", nil, "x.csv", cells, 400, "kind"},
		{"unknown profile", []formField{{"kind", "cells"}, {"profile", "acme-cells"}}, "x.csv", cells, 400, "profile"},
		{"profile of the other kind", []formField{{"kind", "cells"}, {"profile", "ee-cdr"}}, "x.csv", cells, 400, "profile"},
		{"bad time basis", []formField{{"kind", "cdr"}, {"time_basis", "martian"}}, "x.csv", cells, 400, "time_basis"},
		{"bad target", []formField{{"kind", "cdr"}, {"target", "not a number"}}, "x.csv", cells, 400, "target"},
		{"bad date", []formField{{"kind", "cells"}, {"valid_from", "01/02/2026"}}, "x.csv", cells, 400, "valid_from"},
		{"unknown form field", []formField{{"kind", "cells"}, {"colour", "red"}}, "x.csv", cells, 400, "colour"},
		{"parent directory", []formField{{"kind", "cells"}}, "../x.csv", cells, 400, "file"},
		{"directory", []formField{{"kind", "cells"}}, "a/b.csv", cells, 400, "file"},
		{"absolute path", []formField{{"kind", "cells"}}, "/etc/passwd", cells, 400, "file"},
		{"Windows directory", []formField{{"kind", "cells"}}, `a\\b.csv`, cells, 400, "file"},
		{"dot-dot", []formField{{"kind", "cells"}}, "..", cells, 400, "file"},
		{"no file name", []formField{{"kind", "cells"}}, "", cells, 400, "file"},
		{"oversize original", []formField{{"kind", "cells"}}, "big.csv", bytes.Repeat([]byte("x"), 65<<10), 413, ""},
	}
	for _, tc := range uploads {
		t.Run("upload "+tc.name, func(t *testing.T) {
			r := ana.upload(ref, tc.fields, tc.fileName, tc.content)
			checkRefusal(t, r, tc.status, tc.field)
			outcome := "refused"
			e.audited(r, "ana", ref, "sources.upload", outcome)
		})
	}
	t.Run("upload without a file", func(t *testing.T) {
		var buf bytes.Buffer
		buf.WriteString("--B\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ncells\r\n--B--\r\n")
		r := ana.send("POST", cp+"/sources", "multipart/form-data; boundary=B", &buf)
		checkRefusal(t, r, 400, "file")
	})
	t.Run("upload not multipart", func(t *testing.T) {
		r := ana.send("POST", cp+"/sources", "text/csv", bytes.NewReader(cells))
		checkRefusal(t, r, 400, "")
	})

	// Nothing refused was recorded: the seeded sources only, no case, user,
	// trigger or pack more, and no blob beyond the seeded originals.
	var sv struct{ Sources []sourceView }
	ana.must("GET", cp+"/sources", nil, http.StatusOK, &sv)
	if len(sv.Sources) != len(sc.truth.Files) {
		t.Errorf("%d sources, want the %d seeded", len(sv.Sources), len(sc.truth.Files))
	}
	var cs struct{ Cases []cellsite.Case }
	e.admin.must("GET", "/cases", nil, http.StatusOK, &cs)
	var us struct{ Users []store.User }
	e.admin.must("GET", "/users", nil, http.StatusOK, &us)
	var ts struct{ Triggers []store.Trigger }
	ana.must("GET", cp+"/triggers", nil, http.StatusOK, &ts)
	if len(cs.Cases) != 1 || len(us.Users) != 2 || len(ts.Triggers) != 0 {
		t.Errorf("after the refusals: %d cases, %d users, %d triggers; want 1, 2, 0", len(cs.Cases), len(us.Users), len(ts.Triggers))
	}
	// Sign-ins are audited, failed ones as anonymous.
	r0 := e.anonymous().do("POST", "/login", map[string]string{"user": "ana", "password": "not-her-password"})
	checkRefusalStatus(t, r0, http.StatusUnauthorized, "unauthorized")
	e.audited(r0, "(anonymous)", "", "login", "denied")
	r0 = e.anonymous().do("POST", "/login", map[string]string{"user": "ana", "password": "pw-ana-0123456789"})
	if r0.status != http.StatusOK {
		t.Fatalf("login: %s", r0)
	}
	e.audited(r0, "ana", "", "login", "ok")
	// Refusals are audited.
	r := ana.do("POST", cp+"/triggers", `{"spec":"61 * * * *"}`)
	e.audited(r, "ana", ref, "triggers.create", "refused")
	r = ana.do("POST", "/cases", `{"ref":"OP-X","title":"`+long+`"}`)
	e.audited(r, "ana", "", "case.create", "refused")
}

// checkRefusal checks a refused request's status, code and named field.
func checkRefusal(t *testing.T, r reply, status int, field string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s, want %d", r, status)
	}
	e := r.apiError(t)
	wantCode := map[int]string{400: "invalid", 413: "too-large"}[status]
	if e.Code != wantCode || e.Message == "" {
		t.Errorf("code %q, message %q; want code %q", e.Code, e.Message, wantCode)
	}
	if field != "" && e.Fields[field] == "" {
		t.Errorf("fields %v do not name %q (message %q)", e.Fields, field, e.Message)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
}

// checkRefusalStatus checks a refused request's status and code.
func checkRefusalStatus(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s, want %d", r, status)
	}
	if e := r.apiError(t); e.Code != code || e.Message == "" {
		t.Errorf("code %q, message %q; want code %q", e.Code, e.Message, code)
	}
}
