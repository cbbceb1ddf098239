// Package ingest turns the bytes of an operator's export (CSV or XLSX) and a
// format profile into events or cells, with every rejected row reported by
// sheet, row, column and reason. It is pure: it reads from an io.Reader and
// touches no database, clock or log; its callers store the results and
// record provenance.
package ingest
