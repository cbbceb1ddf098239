package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// app is an open data directory with its provenance log.
type app struct {
	db    *store.DB
	log   *provenance.Log
	vkey  string
	actor provenance.Actor
	now   func() time.Time
}

func (a *app) Close() error { return a.db.Close() }

const (
	signerKeyFile   = "keys/log.key"
	verifierKeyFile = "keys/log.pub"
)

// openApp opens the data directory; with create it makes one (database,
// blob store, signing key and genesis leaf) if there is none.
func openApp(ctx context.Context, e env, dir string, create bool) (*app, error) {
	db, err := store.Open(ctx, store.Config{Dir: dir, Create: create})
	if err != nil {
		return nil, err
	}
	a := &app{db: db, now: func() time.Time { return time.Now().UTC() }, actor: localActor(e)}
	if err := a.load(ctx, create); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
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

func (a *app) load(ctx context.Context, create bool) error {
	dir := a.db.Dir()
	skPath, vkPath := filepath.Join(dir, signerKeyFile), filepath.Join(dir, verifierKeyFile)
	sk, skErr := os.ReadFile(skPath)
	vk, vkErr := os.ReadFile(vkPath)
	if errors.Is(skErr, fs.ErrNotExist) && errors.Is(vkErr, fs.ErrNotExist) {
		if !create {
			return cellsite.Errorf(cellsite.NotFound, "open data directory", "%s has no signing key (run 'cellsite init --data %s')", dir, dir)
		}
		if err := a.db.View(ctx, func(tx *store.Tx) error {
			n, err := tx.LogSize(ctx)
			if err == nil && n > 0 {
				return cellsite.Errorf(cellsite.Integrity, "open data directory", "%s holds a log of %d leaves but its signing key is missing", dir, n)
			}
			return err
		}); err != nil {
			return err
		}
		var id [8]byte
		_, _ = rand.Read(id[:])
		s, v, err := provenance.NewKey("cellsite/" + hex.EncodeToString(id[:]))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
			return cellsite.Errorf(cellsite.Internal, "create key", "%v", err)
		}
		if err := writeFileSync(vkPath, []byte(v+"\n"), 0o644); err != nil {
			return err
		}
		if err := writeFileSync(skPath, []byte(s+"\n"), 0o600); err != nil {
			return err
		}
		sk, vk = []byte(s), []byte(v)
	} else if skErr != nil || vkErr != nil {
		return cellsite.Errorf(cellsite.Integrity, "open data directory", "signing key files: %v", errors.Join(skErr, vkErr))
	}
	if fi, err := os.Stat(skPath); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return cellsite.Errorf(cellsite.Forbidden, "open data directory", "%s is readable by others (mode %v): chmod 600 it", skPath, fi.Mode().Perm())
	}
	log, err := provenance.New(provenance.Config{SignerKey: string(sk), VerifierKey: string(vk)})
	if err != nil {
		return err
	}
	a.log, a.vkey = log, log.VerifierKey()
	return a.db.Update(ctx, func(tx *store.Tx) error {
		n, err := tx.LogSize(ctx)
		if err != nil || n > 0 {
			return err
		}
		fp, err := provenance.Fingerprint(a.vkey)
		if err != nil {
			return err
		}
		version, err := a.db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		now := a.now()
		_, _, err = a.log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Genesis, Started: now, Ended: now, Actor: a.actor, Software: cellsite.Build(),
			Params: []provenance.Param{
				{Key: "origin", Value: a.log.Origin()},
				{Key: "key_fingerprint", Value: fp},
				{Key: "schema_version", Value: strconv.Itoa(version)},
			},
			Note: "Cellsite data directory created",
		})
		return err
	})
}

func writeFileSync(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "write "+filepath.Base(path), "%v", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return cellsite.Errorf(cellsite.Internal, "write "+filepath.Base(path), "%v", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return cellsite.Errorf(cellsite.Internal, "write "+filepath.Base(path), "%v", err)
	}
	return f.Close()
}

func runInit(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "init", "[--data DIR]")
	data := dataFlag(fs, e)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	_, statErr := os.Stat(filepath.Join(*data, store.DatabaseFile))
	existed := statErr == nil
	a, err := openApp(ctx, e, *data, true)
	if err != nil {
		return err
	}
	defer a.Close()
	fp, _ := provenance.Fingerprint(a.vkey)
	if existed {
		fmt.Fprintf(e.stdout, "data directory %s already exists; nothing changed\n", *data)
	} else {
		fmt.Fprintf(e.stdout, "created data directory %s\n", *data)
	}
	fmt.Fprintf(e.stdout, "log origin:      %s\nkey fingerprint: %s\n", a.log.Origin(), fp)
	return nil
}
