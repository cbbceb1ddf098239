package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// app is an open data directory with its provenance log, and who is
// acting on it from this command line.
type app struct {
	svc   *casework.Service
	db    *store.DB
	log   *provenance.Log
	vkey  string
	actor provenance.Actor
	now   func() time.Time
}

func (a *app) Close() error { return a.svc.Close() }

// openApp opens the data directory; with create it makes one (database,
// blob store, signing key and genesis leaf) if there is none.
func openApp(ctx context.Context, e env, loc *location, create bool) (*app, error) {
	actor := localActor(e)
	svc, err := casework.Open(ctx, casework.Config{Dir: loc.dir, DSN: loc.db, Create: create, Actor: actor})
	if err != nil {
		return nil, err
	}
	return &app{svc: svc, db: svc.DB, log: svc.Log, vkey: svc.VerifierKey, actor: actor, now: svc.Now}, nil
}

func localActor(e env) provenance.Actor {
	name := e.getenv("CELLSITE_USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "unknown"
	}
	return provenance.Actor{User: "local:" + name, Role: "admin"}
}

func runInit(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "init", "[--data DIR] [--db URL]")
	data := dataFlag(fs, e)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	existed, err := installed(ctx, data)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, data, true)
	if err != nil {
		return err
	}
	defer a.Close()
	fp, _ := provenance.Fingerprint(a.vkey)
	if existed {
		fmt.Fprintf(e.stdout, "data directory %s already exists; nothing changed\n", data)
	} else {
		fmt.Fprintf(e.stdout, "created data directory %s\n", data)
	}
	fmt.Fprintf(e.stdout, "log origin:      %s\nkey fingerprint: %s\n", a.log.Origin(), fp)
	return nil
}

// installed reports whether an installation exists at loc.
func installed(ctx context.Context, loc *location) (bool, error) {
	if loc.db == "" {
		_, err := os.Stat(filepath.Join(loc.dir, store.DatabaseFile))
		return err == nil, nil
	}
	db, err := store.Open(ctx, store.Config{Dir: loc.dir, DSN: loc.db})
	if cellsite.KindOf(err) == cellsite.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, db.Close()
}
