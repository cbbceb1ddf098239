// Package casework carries out the steps that change a case, each one
// recorded on the provenance log: opening a data directory and its log,
// creating a case, ingesting an operator's original, running an analysis,
// rendering an evidential pack. The command line and the HTTP API both
// call it, so that a step does the same thing and records the same leaf
// whichever way it was asked for. It holds no HTTP or terminal code: the
// caller identifies the actor and shows progress.
package casework
