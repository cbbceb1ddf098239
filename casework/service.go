package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// Config says which data directory to open.
type Config struct {
	Dir string // the data directory: blob store and keys (and the SQLite database)
	// DSN names a PostgreSQL database (postgres://...) to use instead of
	// SQLite in Dir; "" for SQLite. See store.Config.
	DSN    string
	Create bool // make it (database, blob store, signing key, genesis leaf) if it does not exist
	// Now is the clock; nil means the system clock in UTC.
	Now func() time.Time
	// Actor is recorded on the genesis leaf of a new data directory.
	Actor provenance.Actor
}

// Service is an open data directory with its provenance log.
type Service struct {
	DB  *store.DB
	Log *provenance.Log
	// VerifierKey is the log's public key (signed-note format).
	VerifierKey string
	now         func() time.Time
}

// Files of the signing key within the data directory.
const (
	SignerKeyFile   = "keys/log.key"
	VerifierKeyFile = "keys/log.pub"
)

// Open opens a data directory; with cfg.Create it makes one if there is
// none.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	db, err := store.Open(ctx, store.Config{Dir: cfg.Dir, DSN: cfg.DSN, Create: cfg.Create})
	if err != nil {
		return nil, err
	}
	s := &Service{DB: db, now: cfg.Now}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC() }
	}
	if err := s.load(ctx, cfg.Create, cfg.Actor); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Service) Close() error { return s.DB.Close() }

// Now returns the service's clock reading.
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) load(ctx context.Context, create bool, actor provenance.Actor) error {
	dir := s.DB.Dir()
	skPath, vkPath := filepath.Join(dir, SignerKeyFile), filepath.Join(dir, VerifierKeyFile)
	sk, skErr := os.ReadFile(skPath)
	vk, vkErr := os.ReadFile(vkPath)
	if errors.Is(skErr, fs.ErrNotExist) && errors.Is(vkErr, fs.ErrNotExist) {
		if !create {
			return cellsite.Errorf(cellsite.NotFound, "open data directory", "%s has no signing key (run 'cellsite init --data %s')", dir, dir)
		}
		if err := s.DB.View(ctx, func(tx *store.Tx) error {
			n, err := tx.LogSize(ctx)
			if err == nil && n > 0 {
				return cellsite.Errorf(cellsite.Integrity, "open data directory", "%s holds a log of %d leaves but its signing key is missing", dir, n)
			}
			return err
		}); err != nil {
			return err
		}
		var err error
		if sk, vk, err = createKey(dir); err != nil {
			return err
		}
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
	s.Log, s.VerifierKey = log, log.VerifierKey()
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		n, err := tx.LogSize(ctx)
		if err != nil || n > 0 {
			return err
		}
		fp, err := provenance.Fingerprint(s.VerifierKey)
		if err != nil {
			return err
		}
		version, err := s.DB.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		now := s.now()
		_, _, err = s.Log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Genesis, Started: now, Ended: now, Actor: actor, Software: cellsite.Build(),
			Params: []provenance.Param{
				{Key: "origin", Value: s.Log.Origin()},
				{Key: "key_fingerprint", Value: fp},
				{Key: "schema_version", Value: strconv.Itoa(version)},
			},
			Note: "Cellsite data directory created",
		})
		return err
	})
}

// Fingerprint returns the fingerprint of the log's public key.
func (s *Service) Fingerprint() string {
	fp, _ := provenance.Fingerprint(s.VerifierKey) // the key was parsed by provenance.New
	return fp
}

// createKey makes the log's signing key pair in dir/keys and returns it.
// Processes sharing a data directory that start together (replicas of a
// new PostgreSQL installation) each make a pair in a directory of their
// own and rename it into place: the first rename wins, the others read
// the winner's pair.
func createKey(dir string) (sk, vk []byte, err error) {
	var id [8]byte
	_, _ = rand.Read(id[:])
	sks, vks, err := provenance.NewKey("cellsite/" + hex.EncodeToString(id[:]))
	if err != nil {
		return nil, nil, err
	}
	tmp, err := os.MkdirTemp(dir, ".keys-")
	if err != nil {
		return nil, nil, cellsite.Errorf(cellsite.Internal, "create key", "%v", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o700); err != nil {
		return nil, nil, cellsite.Errorf(cellsite.Internal, "create key", "%v", err)
	}
	if err := writeFileSync(filepath.Join(tmp, filepath.Base(VerifierKeyFile)), []byte(vks+"\n"), 0o644); err != nil {
		return nil, nil, err
	}
	if err := writeFileSync(filepath.Join(tmp, filepath.Base(SignerKeyFile)), []byte(sks+"\n"), 0o600); err != nil {
		return nil, nil, err
	}
	keys := filepath.Join(dir, filepath.Dir(SignerKeyFile))
	if err := os.Rename(tmp, keys); err != nil {
		// Another process's pair is in place (or keys/ holds something
		// else, which reading reports).
		sk, skErr := os.ReadFile(filepath.Join(dir, SignerKeyFile))
		vk, vkErr := os.ReadFile(filepath.Join(dir, VerifierKeyFile))
		if skErr != nil || vkErr != nil {
			return nil, nil, cellsite.Errorf(cellsite.Integrity, "create key", "%s exists without a key pair: %v", keys, errors.Join(skErr, vkErr))
		}
		return sk, vk, nil
	}
	if err := syncDir(dir); err != nil {
		return nil, nil, cellsite.Errorf(cellsite.Internal, "create key", "%v", err)
	}
	return []byte(sks), []byte(vks), nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
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

// Progress hears how long work is going: a stage name and, when known,
// how much of it is done.
type Progress func(stage string, done, total int64)

func (p Progress) report(stage string, done, total int64) {
	if p != nil {
		p(stage, done, total)
	}
}
