package templates

import (
	"embed"
	"io/fs"
)

//go:embed profiles/*.toml
var profiles embed.FS

// Profiles returns the built-in format profiles: one TOML file per layout of
// an operator export or cell list (see docs/PROFILES.md).
func Profiles() fs.FS {
	sub, err := fs.Sub(profiles, "profiles")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}
