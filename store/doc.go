// Package store persists Cellsite's data: an embedded SQLite database for
// cases, events and the provenance log, and a content-addressed blob store
// for operators' original files, kept byte for byte.
//
// A data directory holds:
//
//	cellsite.db              the database (WAL journal, synchronous=FULL)
//	blobs/sha256/ab/cdef…    original files, named by their SHA-256, read-only
//	keys/                    the provenance log's signing and verifier keys
//
// Writes happen in transactions (DB.Update) that take the database's single
// write lock, so a provenance append and the data it describes commit
// together or not at all. The SQL is kept portable so that a PostgreSQL
// backend can implement the same methods.
package store
