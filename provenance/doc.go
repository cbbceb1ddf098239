// Package provenance is Cellsite's tamper-evident record of work: every step
// from an operator's original file to a served schedule appends one leaf to
// an append-only log.
//
// Leaves have a versioned canonical byte encoding (see FORMAT.md) and form
// both a hash chain (each leaf records the hash of the one before it) and an
// RFC 6962 Merkle tree. The log signs checkpoints (origin, tree size, root
// hash) in the signed-note format with Ed25519 and never signs one that is
// inconsistent with the last. Inclusion proofs, consistency proofs and
// portable receipts let a verifier check any leaf with the public key alone.
//
// The package keeps no state of its own: the log reads and writes through
// the Store interface, so an append can share a transaction with the data it
// describes. Pure steps elsewhere never append; their callers do.
package provenance
