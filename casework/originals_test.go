package casework_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/synth"
)

// cellListOf returns a cell list of the synthetic meeting scenario.
func cellListOf(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tr, err := synth.Generate(context.Background(), synth.Options{Scenario: "meeting", Seed: 1}, synth.DirSink{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tr.Files {
		if f.Kind == "cells" {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("the scenario has no cell list")
	return nil
}

// TestHeldOriginalNotDiscarded: while one upload's ingest still needs a
// stored original, a failed ingest of the same bytes (sent as the wrong
// kind) must not remove it; a failed ingest that nothing else holds
// leaves no blob.
func TestHeldOriginalNotDiscarded(t *testing.T) {
	ctx := context.Background()
	svc, err := casework.Open(ctx, casework.Config{Dir: t.TempDir(), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	actor := provenance.Actor{User: "ana", Role: "analyst"}
	if _, err := svc.CreateCase(ctx, actor, "OP-1", "Held originals"); err != nil {
		t.Fatal(err)
	}
	body := cellListOf(t)
	// Two uploads of the same bytes, both stored before either is ingested.
	good, err := svc.PutOriginal(ctx, bytes.NewReader(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := svc.PutOriginal(ctx, bytes.NewReader(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.IngestStored(ctx, actor, casework.IngestRequest{Case: "OP-1", Kind: "cdr", Name: "cells.csv"}, wrong); err == nil {
		t.Fatal("a cell list ingested as call data records")
	}
	if _, err := os.Stat(blobPath(svc, body)); err != nil {
		t.Fatalf("the failed ingest discarded an original another ingest holds: %v", err)
	}
	res, err := svc.IngestStored(ctx, actor, casework.IngestRequest{Case: "OP-1", Kind: "cells", Name: "cells.csv"}, good)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Accepted == 0 {
		t.Error("no cells accepted")
	}
	// The log and the blob store verify: the registered original is there.
	err = svc.DB.View(ctx, func(tx *store.Tx) error {
		reg, err := tx.RegisteredBlobs(ctx)
		if err != nil {
			return err
		}
		_, err = svc.DB.Blobs.Verify(ctx, reg, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// A failed ingest of bytes nothing else holds leaves no blob.
	other := []byte("not,a,known\nlayout,at,all\n")
	o, err := svc.PutOriginal(ctx, bytes.NewReader(other), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.IngestStored(ctx, actor, casework.IngestRequest{Case: "OP-1", Kind: "cdr", Name: "x.csv"}, o); err == nil {
		t.Fatal("an unknown layout ingested")
	}
	if _, err := os.Stat(blobPath(svc, other)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the original of a failed ingest is still stored (%v)", err)
	}
}

func blobPath(svc *casework.Service, b []byte) string {
	return svc.DB.Blobs.Path(cellsite.Sum(b))
}
