package synth

import (
	"io/fs"
	"os"
	"slices"

	"github.com/BurntSushi/toml"
	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/templates"
)

// columnOrder returns the fields of p's [columns] in the order its file
// lists them, which is the order its columns are written in, followed by
// any others in canonical order. Without the file (or if it has changed
// since p was loaded) it is the canonical order.
func columnOrder(p *ingest.Profile, canonical []string) []string {
	var listed []string
	var fsys fs.FS
	switch p.Origin {
	case "built-in":
		fsys = templates.Profiles()
	case "":
	default:
		fsys = os.DirFS(p.Origin)
	}
	if fsys != nil {
		if b, err := fs.ReadFile(fsys, p.File); err == nil && cellsite.Sum(b) == p.Hash {
			var v map[string]any
			if md, err := toml.Decode(string(b), &v); err == nil {
				for _, k := range md.Keys() {
					if len(k) == 2 && k[0] == "columns" && !slices.Contains(listed, k[1]) {
						listed = append(listed, k[1])
					}
				}
			}
		}
	}
	for _, f := range canonical {
		if !slices.Contains(listed, f) {
			listed = append(listed, f)
		}
	}
	return listed
}
