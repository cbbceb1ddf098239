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

//go:embed fonts/*.ttf fonts/LICENSE-DejaVu.txt
var fonts embed.FS

// Font returns an embedded TrueType font by file name, e.g.
// "DejaVuSans.ttf" or "DejaVuSans-Bold.ttf" (Bitstream Vera licence, in
// fonts/LICENSE-DejaVu.txt). Renderers never use fonts installed on the
// machine, so output is the same everywhere.
func Font(name string) ([]byte, error) {
	return fonts.ReadFile("fonts/" + name)
}

//go:embed schedules/*.toml
var schedules embed.FS

// Schedules returns the built-in schedule templates: one TOML file per
// schedule (see docs/TEMPLATES.md).
func Schedules() fs.FS {
	sub, err := fs.Sub(schedules, "schedules")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}
