package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/api"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/synth"
)

// demoCase is the case a new installation is seeded with.
const demoCase = "DEMO-MEETING"

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "serve", "[--addr :8080] [--data DIR] [--db URL] [--replica NAME] [--no-demo] [--tiles URL]")
	data := dataFlag(fs, e)
	addr := fs.String("addr", ":8080", "listen `address`")
	noDemo := fs.Bool("no-demo", false, "do not seed a new installation with the demo case")
	workers := fs.Int("workers", 2, "background jobs this process runs at once")
	replica := fs.String("replica", e.getenv("CELLSITE_REPLICA"), "this process's `name` on the jobs it runs, among the replicas sharing a database (default $CELLSITE_REPLICA, or host-pid-random)")
	profDir := profilesFlag(fs, e)
	tiles := fs.String("tiles", e.getenv("CELLSITE_TILES"), "a map tile server's `URL` template for the web interface, e.g. https://tiles.example.org/{z}/{x}/{y}.png (default none: the map draws the cells on a plain background and loads nothing from outside)")
	tilesCredit := fs.String("tiles-attribution", "", "the credit the tile server asks to be shown on the map")
	tdir := fs.String("templates", e.getenv("CELLSITE_TEMPLATES"), "a `DIR` of schedule templates that add to or override the built-in ones")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *tiles != "" {
		if _, err := api.TileOrigin(*tiles); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	a, err := openApp(ctx, e, data, true)
	if err != nil {
		return err
	}
	defer a.Close()
	profiles, err := casework.LoadProfiles(*profDir)
	if err != nil {
		return err
	}
	runner := a.svc.NewRunner(casework.RunnerConfig{Workers: *workers, Replica: *replica, Log: logger})
	outbox := filepath.Join(a.db.Dir(), "packs")

	if err := firstStart(ctx, e, a, *noDemo, logger); err != nil {
		return err
	}

	h := api.NewServer(api.Config{TileURL: *tiles, TileAttribution: *tilesCredit}, api.Deps{Service: a.svc, Runner: runner, Profiles: profiles, Log: logger, TemplateDir: *tdir, Outbox: outbox})
	// Jobs left running by a replica that stopped are failed; queued ones
	// run here or on any other replica.
	if err := runner.Start(ctx); err != nil {
		return err
	}
	defer runner.Shutdown(context.Background()) // on an early return; a no-op after the shutdown below
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return cellsite.Errorf(cellsite.Invalid, "serve", "%v", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	fmt.Fprintf(e.stdout, "Cellsite %s serving on http://%s/api/v1 (data %s, replica %s)\n", cellsite.Build().Version, displayAddr(ln.Addr()), data, runner.Replica())
	fmt.Fprintf(e.stdout, "In a browser: http://%s/\n", displayAddr(ln.Addr()))

	// Triggers: every minute, run what is due. Every replica does; each
	// due time fires once.
	tctx, stopTriggers := context.WithCancel(ctx)
	defer stopTriggers()
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			if runs, err := api.RunDueTriggers(tctx, a.svc, runner, a.now()); err != nil && tctx.Err() == nil {
				logger.Error("triggers", "err", err.Error())
			} else {
				for _, r := range runs {
					logger.Info("trigger run", "trigger", r.Trigger.ID, "case", r.Trigger.Case, "due", r.Due, "missed", len(r.Missed)+r.Unlisted)
				}
			}
			select {
			case <-tctx.Done():
				return
			case <-t.C:
			}
		}
	}()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests, stopping jobs")
	stopTriggers()
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if jerr := runner.Shutdown(sctx); jerr != nil {
		err = errors.Join(err, jerr)
	}
	return err
}

func displayAddr(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") {
		return "localhost:" + strings.TrimPrefix(s, "[::]:")
	}
	if strings.HasPrefix(s, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(s, "0.0.0.0:")
	}
	return s
}

// firstStart makes the first admin, and prints their token once, when the
// installation has no users; and seeds the demo case unless told not to.
func firstStart(ctx context.Context, e env, a *app, noDemo bool, logger *slog.Logger) error {
	var n int
	if err := a.db.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.UserCount(ctx)
		return err
	}); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	pw, _ := api.NewToken()
	pw = strings.TrimPrefix(pw, "cst_")[:20]
	hash, err := api.HashPassword(pw)
	if err != nil {
		return err
	}
	now := a.now()
	var token string
	err = a.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(ctx, store.User{Name: "admin", Display: "Administrator", Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: now}); err != nil {
			return err
		}
		var err error
		token, _, err = api.IssueToken(ctx, tx, "admin", "first start", now, 90*24*time.Hour)
		return err
	})
	if cellsite.KindOf(err) == cellsite.Conflict {
		return nil // another replica, starting at the same time, made the admin
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nFirst start: user admin created. Shown once, keep them safe:\n  password: %s\n  token:    %s\n\n", pw, token)
	if noDemo {
		return nil
	}
	return seedDemo(ctx, e, a, logger)
}

// seedDemo ingests a synthetic scenario into the demo case and runs its
// co-location analysis, as the admin.
func seedDemo(ctx context.Context, e env, a *app, logger *slog.Logger) error {
	actor := provenance.Actor{User: "admin", Role: store.RoleAdmin}
	dir, err := os.MkdirTemp("", "cellsite-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr, err := synth.Generate(ctx, synth.Options{Scenario: "meeting", Seed: 1}, synth.DirSink{Root: root})
	if err != nil {
		return err
	}
	if _, err := a.svc.CreateCase(ctx, actor, demoCase, "Demonstration: two phones that met (synthetic data)"); err != nil {
		return err
	}
	if err := a.db.Update(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, demoCase, "admin", "admin", a.now()) }); err != nil {
		return err
	}
	files := append([]synth.File(nil), tr.Files...)
	sort.Slice(files, func(i, j int) bool { // cell lists first
		if files[i].Kind != files[j].Kind {
			return files[i].Kind == "cells"
		}
		return files[i].Path < files[j].Path
	})
	for _, f := range files {
		if f.Kind != "cdr" && f.Kind != "cells" {
			continue
		}
		fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return err
		}
		_, err = a.svc.Ingest(ctx, actor, casework.IngestRequest{Case: demoCase, Kind: f.Kind, Name: filepath.Base(f.Path), Body: fh})
		fh.Close()
		if err != nil {
			return fmt.Errorf("demo case: %w", err)
		}
	}
	for _, k := range []string{"colocation", "pattern", "contacts", "attribution"} {
		if _, err := a.svc.Analyse(ctx, actor, casework.AnalyseRequest{Case: demoCase, Kind: k}); err != nil {
			return fmt.Errorf("demo case: %w", err)
		}
	}
	logger.Info("demo case seeded", "case", demoCase, "files", len(files))
	fmt.Fprintf(e.stdout, "Demo case %s seeded from synthetic data (disable with --no-demo).\n", demoCase)
	return nil
}
