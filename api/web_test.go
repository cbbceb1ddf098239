package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/api"
)

// TestWebServed checks how the web interface is served: the page, its
// files with their types, no directory listings, and the content security
// policy on every response, with a configured tile server's origin and no
// other.
func TestWebServed(t *testing.T) {
	for _, tc := range []struct {
		name, tiles, wantImg string
	}{
		{"no tiles", "", "img-src 'self';"},
		{"tiles", "https://{s}.tiles.example.org/{z}/{x}/{y}.png", "img-src 'self' https://*.tiles.example.org;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{cfg: api.Config{TileURL: tc.tiles, TileAttribution: `© Example & "friends"`}})
			get := func(path string) (*http.Response, string) {
				t.Helper()
				resp, err := e.srv.Client().Get(e.srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp, string(b)
			}
			resp, page := get("/")
			csp := resp.Header.Get("Content-Security-Policy")
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self';", "frame-ancestors 'none'", tc.wantImg} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") || strings.Contains(csp, "*") && tc.tiles == "" {
				t.Errorf("CSP %q allows too much", csp)
			}
			if resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("X-Frame-Options %q", resp.Header.Get("X-Frame-Options"))
			}
			wantMeta := `<meta name="cellsite-tiles" content="` + strings.ReplaceAll(tc.tiles, "&", "&amp;") + `">`
			if !strings.Contains(page, wantMeta) {
				t.Errorf("page lacks %s", wantMeta)
			}
			if tc.tiles != "" && !strings.Contains(page, `content="© Example &amp; &#34;friends&#34;"`) {
				t.Errorf("attribution not escaped into the page")
			}
			if strings.Contains(page, "<script>") || strings.Contains(page, "style=") {
				t.Error("the page has inline script or style")
			}
			for path, ct := range map[string]string{
				"/static/js/main.js":                       "text/javascript",
				"/static/app.css":                          "text/css",
				"/static/vendor/leaflet/leaflet.js":        "text/javascript",
				"/static/vendor/leaflet/leaflet.css":       "text/css",
				"/static/vendor/leaflet/images/layers.png": "image/png",
				"/static/favicon.svg":                      "image/svg+xml",
			} {
				resp, _ := get(path)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) {
					t.Errorf("GET %s: %d %s, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), ct)
				}
				if resp.Header.Get("Content-Security-Policy") != csp {
					t.Errorf("GET %s: CSP %q", path, resp.Header.Get("Content-Security-Policy"))
				}
			}
			for _, path := range []string{"/static/", "/static/js/", "/static/nope.js", "/static/../web.go", "/index.html"} {
				if resp, _ := get(path); resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
				}
			}
			if resp, _ := get("/api/v1/health"); resp.Header.Get("Content-Security-Policy") != csp {
				t.Errorf("the API's answers lack the CSP")
			}
		})
	}
}

func TestTileOrigin(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"},
		{"http://10.1.2.3:8081/osm/{z}/{x}/{y}.png", "http://10.1.2.3:8081"},
		{"https://tiles.example.org/{z}/{x}.png", ""},
		{"ftp://tiles.example.org/{z}/{x}/{y}.png", ""},
		{"https://user:pw@tiles.example.org/{z}/{x}/{y}.png", ""},
		{"/tiles/{z}/{x}/{y}.png", ""},
		{"javascript:alert(1)//{z}/{x}/{y}", ""},
	} {
		got, err := api.TileOrigin(tc.url)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("TileOrigin(%q) = %q, %v; want %q", tc.url, got, err, tc.want)
		}
	}
}
