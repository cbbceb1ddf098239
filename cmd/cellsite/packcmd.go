package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/reports"
)

func runPack(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "pack", "--case REF --out PACK.zip [--template NAME,...] [--exhibit REF] [--generated-at TIME]")
	data := dataFlag(fs, e)
	caseRef := fs.String("case", "", "case reference (required)")
	out := fs.String("out", "", "the pack to write, e.g. OP-LANTERN-01.zip (required)")
	tmpl := fs.String("template", strings.Join(reports.StandardSchedules, ","), "schedule `templates` to include, in order")
	tdir := fs.String("templates", e.getenv("CELLSITE_TEMPLATES"), "a `DIR` of schedule templates that add to or override the built-in ones (default $CELLSITE_TEMPLATES)")
	exhibit := fs.String("exhibit", "", "the producing officer's exhibit `reference`, e.g. ABC/1")
	by := fs.String("produced-by", "", "the analyst's `name` as it should appear (default: the user)")
	at := fs.String("generated-at", "", "the production `time` stated on every output, RFC 3339 (default: now); the same case, version and time give the same bytes")
	from := fs.String("map-from", "", "draw target maps from this `time` (RFC 3339)")
	to := fs.String("map-to", "", "draw target maps up to this `time` (RFC 3339)")
	basemap := fs.String("basemap", e.getenv("CELLSITE_BASEMAP"), "an Ordnance Survey Open data GeoPackage `FILE` drawn under the maps (default $CELLSITE_BASEMAP; none: a clean grid)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *caseRef == "" || *out == "" {
		return usageError{"pack: --case and --out are required"}
	}
	o := casework.PackOptions{Case: *caseRef, Out: *out, TemplateDir: *tdir, Exhibit: *exhibit, ProducedBy: *by, Basemap: *basemap}
	for _, t := range strings.Split(*tmpl, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.Templates = append(o.Templates, t)
		}
	}
	for _, tv := range []struct {
		flag, val string
		dst       *time.Time
	}{{"--generated-at", *at, &o.GeneratedAt}, {"--map-from", *from, &o.MapFrom}, {"--map-to", *to, &o.MapTo}} {
		if tv.val == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, tv.val)
		if err != nil {
			return usageError{fmt.Sprintf("pack: %s %q: want RFC 3339, e.g. 2026-11-27T14:00:00Z", tv.flag, tv.val)}
		}
		*tv.dst = t.UTC()
	}
	a, err := openApp(ctx, e, data, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if o.GeneratedAt.IsZero() {
		o.GeneratedAt = a.now().Truncate(time.Second)
	}
	if o.ProducedBy == "" {
		o.ProducedBy = strings.TrimPrefix(a.actor.User, "local:")
	}
	bar := newProgress(e.stderr, "pack")
	res, err := a.svc.Pack(ctx, a.actor, o, bar.report)
	bar.done()
	if err != nil {
		return err
	}
	reused := ""
	if res.Reused {
		reused = " (the same outputs were rendered before)"
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d files, %d bytes, sha256 %s\n", o.Out, len(res.Manifest.Files)+1, res.Size, res.SHA256)
	fmt.Fprintf(e.stdout, "render leaf %d%s, pack leaf %d; proofs against checkpoint of size %d\n", res.RenderLeaf, reused, res.PackLeaf, res.Checkpoint)
	fmt.Fprintf(e.stdout, "check it anywhere with: cellsite verify %s --fingerprint %s\n", o.Out, res.Manifest.Fingerprint)
	return nil
}
