package web

import (
	"embed"
	"io/fs"
)

//go:embed index.html static
var files embed.FS

// Index returns the interface's one HTML page. Its head holds the meta
// element named "cellsite-tiles" with an empty content attribute; the
// server fills it in when a tile server is configured.
func Index() []byte {
	b, err := files.ReadFile("index.html")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return b
}

// Static returns the files served under /static/: stylesheets, JavaScript
// modules, and vendored libraries with their licences.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return sub
}
