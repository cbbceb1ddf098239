//go:build race

package ingest_test

// raceEnabled: the race detector slows everything down; tests take smaller inputs.
const raceEnabled = true
