// Package store persists Cellsite's data: cases, events, the provenance log
// and the service's records in a database, and operators' original files,
// byte for byte, in a content-addressed blob store.
//
// The database is either an embedded SQLite file in the data directory
// (the default: one analyst's machine) or a PostgreSQL database named by
// Config.DSN (a force: several service processes on one database). Both
// run the same methods on *DB and *Tx; their schemas are numbered
// migrations with the same numbers and meaning in migrations/sqlite and
// migrations/postgres.
//
// A data directory holds:
//
//	cellsite.db              the SQLite database (WAL journal, synchronous=FULL)
//	blobs/sha256/ab/cdef…    original files, named by their SHA-256, read-only
//	keys/                    the provenance log's signing and verifier keys
//
// With PostgreSQL the directory holds the blobs and keys only, and is
// shared by every process of the installation.
//
// Writes happen in transactions (DB.Update), so a provenance append and the
// data it describes commit together or not at all. SQLite has a single
// writer. PostgreSQL runs write transactions side by side, but one that
// touches the provenance log first takes an advisory lock held to its end,
// so that across every process one transaction appends at a time and the
// log cannot fork. Bulk loads of events and cells use COPY on PostgreSQL
// and multi-row INSERTs on SQLite.
package store
