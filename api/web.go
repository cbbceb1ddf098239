package api

import (
	"bytes"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/web"
)

// TileOrigin checks a tile URL template, such as
// https://{s}.tile.example.org/{z}/{x}/{y}.png, and returns the origin the
// content security policy must allow for it (a {s} subdomain becomes *).
func TileOrigin(tmpl string) (string, error) {
	bad := func(why string) (string, error) {
		return "", cellsite.Errorf(cellsite.Invalid, "tiles", "tile URL %q: %s", tmpl, why)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(tmpl, p) {
			return bad("it must contain {z}, {x} and {y}")
		}
	}
	u, err := url.Parse(strings.NewReplacer("{s}", "s", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tmpl))
	if err != nil {
		return bad(err.Error())
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil {
		return bad("want an http or https URL of a tile server")
	}
	host := u.Host
	if i := strings.Index(tmpl, "://"); i >= 0 && strings.HasPrefix(tmpl[i+3:], "{s}.") {
		host = "*." + strings.TrimPrefix(host, "s.")
	}
	return u.Scheme + "://" + host, nil
}

// contentSecurityPolicy allows the page to load and connect to the service
// itself only, and images from the tile server when one is configured.
func contentSecurityPolicy(tileOrigin string) string {
	img := "'self'"
	if tileOrigin != "" {
		img += " " + tileOrigin
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// webIndex serves the web interface's page, with the tile server (if any)
// written into its meta elements.
func (s *server) webIndex() http.Handler {
	page := web.Index()
	page = bytes.Replace(page, []byte(`<meta name="cellsite-tiles" content="">`),
		[]byte(`<meta name="cellsite-tiles" content="`+html.EscapeString(s.cfg.TileURL)+`">`), 1)
	page = bytes.Replace(page, []byte(`<meta name="cellsite-tiles-attribution" content="">`),
		[]byte(`<meta name="cellsite-tiles-attribution" content="`+html.EscapeString(s.cfg.TileAttribution)+`">`), 1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
}

// webStatic serves the interface's stylesheets, modules and vendored
// libraries; no directory listings.
func (s *server) webStatic() http.Handler {
	files := web.Static()
	fileServer := http.StripPrefix("/static/", http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
		if st, err := fs.Stat(files, name); err != nil || st.IsDir() {
			writeError(w, r, s.log, cellsite.Errorf(cellsite.NotFound, "static", "no file %s", r.URL.Path))
			return
		}
		fileServer.ServeHTTP(w, r)
	})
}
