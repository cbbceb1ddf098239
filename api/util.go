package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
	"github.com/gorilla/mux"
)

// pathVar returns a variable of the request's route, decoded. The router
// matches the escaped path, so that a case reference with a '/' in it
// (sent as %2F) stays one path segment.
func pathVar(r *http.Request, name string) string {
	v := mux.Vars(r)[name]
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// b64 is a hash as RFC 9530 digest fields give it.
func b64(h cellsite.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// neutraliseAll applies the export text-safety rule (docs/FORMATS.md).
func neutraliseAll(vals []string) []string {
	for i, v := range vals {
		vals[i] = reports.Neutralise(v)
	}
	return vals
}
