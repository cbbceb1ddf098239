// Package cellsite is the vocabulary shared by every part of Cellsite, an
// evidence-grade cell site analysis service: hashes of evidential bytes,
// errors with a kind that callers can act on, and the records (cases,
// sources, events, cells) that ingestion produces and analysis consumes.
//
// It imports only the standard library. The packages beneath it do the work:
// ingest turns operator exports into events and cells, analysis runs the
// investigative methods over them, provenance keeps the tamper-evident log
// of every step, reports renders schedules, maps and evidential packs,
// store persists everything, and api serves it over HTTP.
package cellsite
