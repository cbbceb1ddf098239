// Package storetest gives tests a fresh store on each backend: SQLite in a
// temporary directory, and PostgreSQL in a schema of its own, created for
// the test and dropped when it ends, in the database named by
// $CELLSITE_TEST_POSTGRES. Without that variable the PostgreSQL half of a
// test is skipped, with a message saying how to run it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cellsite/cellsite/store"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvDSN is the environment variable naming the PostgreSQL database tests
// may use, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvDSN = "CELLSITE_TEST_POSTGRES"

// Backends are the names of the store's backends, as store.DB.Backend
// gives them.
var Backends = []string{"sqlite", "postgres"}

// Run runs f as a subtest on each backend.
func Run(t *testing.T, f func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) { f(t, b) })
	}
}

// Config returns the configuration of a new installation on backend: a
// fresh temporary data directory, and for "postgres" a fresh schema.
func Config(t testing.TB, backend string) store.Config {
	t.Helper()
	cfg := store.Config{Dir: t.TempDir(), Create: true}
	if backend == "postgres" {
		cfg.DSN = PostgresDSN(t)
	}
	return cfg
}

// Open opens a new installation on backend, closed when the test ends.
func Open(t testing.TB, backend string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), Config(t, backend))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresDSN returns the URL of an empty schema of the test database, its
// own search path, dropped with everything in it when the test ends. It
// skips the test when $CELLSITE_TEST_POSTGRES is not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		t.Skipf("PostgreSQL half skipped: set %s=postgres://USER@HOST:5432/DB?sslmode=disable to run it (.ci/run sets it when PostgreSQL answers on 127.0.0.1:5432)", EnvDSN)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "cellsite_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema in %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	if q.Get("pool_max_conns") == "" {
		q.Set("pool_max_conns", "6") // parallel test packages share the server's connections
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenRaw opens the database of an installation directly, around the
// store, as someone tampering with it would: for tests of what the
// database itself refuses and of what verification catches.
func OpenRaw(t testing.TB, cfg store.Config) *sql.DB {
	t.Helper()
	driver, name := "sqlite", filepath.Join(cfg.Dir, store.DatabaseFile)
	if cfg.DSN != "" {
		u, err := url.Parse(cfg.DSN)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
		driver, name = "pgx", u.String()
	}
	raw, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return raw
}
