package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

func runLog(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "log", "[--data DIR] [--case REF] [--json]")
	data := dataFlag(fs, e)
	caseRef := fs.String("case", "", "only leaves of this case `REF`")
	asJSON := fs.Bool("json", false, "print one JSON object per leaf")
	a, err := parseAndOpen(ctx, e, fs, args, data)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.db.View(ctx, func(tx *store.Tx) error {
		var idx []int64
		if *caseRef != "" {
			if idx, err = tx.LeafIndexes(ctx, *caseRef); err != nil {
				return err
			}
		} else {
			n, err := tx.LogSize(ctx)
			if err != nil {
				return err
			}
			for i := range n {
				idx = append(idx, i)
			}
		}
		enc := json.NewEncoder(e.stdout)
		for _, i := range idx {
			lf, data, err := provenance.Get(ctx, tx, i)
			if err != nil {
				return err
			}
			if *asJSON {
				if err := enc.Encode(struct {
					provenance.Leaf
					Hash cellsite.Hash `json:"hash"`
				}{lf, provenance.LeafHash(data)}); err != nil {
					return err
				}
				continue
			}
			printLeaf(e, lf, provenance.LeafHash(data))
		}
		return nil
	})
}

func printLeaf(e env, lf provenance.Leaf, h cellsite.Hash) {
	c := lf.Case
	if c == "" {
		c = "-"
	}
	fmt.Fprintf(e.stdout, "#%d %-10s %s case=%s by=%s (%s) hash=%s\n", lf.Index, lf.Type, lf.Ended.Format("2006-01-02T15:04:05Z"), c, lf.Actor.User, lf.Actor.Role, h.String()[:16])
	for _, in := range lf.Inputs {
		fmt.Fprintf(e.stdout, "    in   %s\n", in)
	}
	for _, out := range lf.Outputs {
		fmt.Fprintf(e.stdout, "    out  %s\n", out)
	}
	for _, r := range lf.References {
		fmt.Fprintf(e.stdout, "    ref  %s %s %s (sha256 %s)\n", r.Kind, r.Name, r.Version, r.SHA256)
	}
	if len(lf.Params) > 0 {
		kv := make([]string, len(lf.Params))
		for i, p := range lf.Params {
			kv[i] = p.Key + "=" + p.Value
		}
		fmt.Fprintf(e.stdout, "    params %s\n", strings.Join(kv, " "))
	}
	if len(lf.Counts) > 0 {
		kv := make([]string, len(lf.Counts))
		for i, c := range lf.Counts {
			kv[i] = fmt.Sprintf("%s=%d", c.Key, c.N)
		}
		fmt.Fprintf(e.stdout, "    counts %s\n", strings.Join(kv, " "))
	}
	for _, w := range lf.Warnings {
		fmt.Fprintf(e.stdout, "    warn %s\n", w)
	}
	if lf.Supersedes != nil {
		fmt.Fprintf(e.stdout, "    supersedes #%d\n", *lf.Supersedes)
	}
	if lf.Note != "" {
		fmt.Fprintf(e.stdout, "    note %s\n", lf.Note)
	}
}

func runKey(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "key", "[--data DIR]")
	data := dataFlag(fs, e)
	a, err := parseAndOpen(ctx, e, fs, args, data)
	if err != nil {
		return err
	}
	defer a.Close()
	fp, err := provenance.Fingerprint(a.vkey)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n%s\n", a.vkey, fp)
	return nil
}

func runVersion(ctx context.Context, e env, args []string) error {
	s := cellsite.Build()
	rev := s.Revision
	if rev == "" {
		rev = "not recorded"
	}
	fmt.Fprintf(e.stdout, "cellsite %s (%s, revision %s, %s)\n", s.Version, s.Module, rev, s.GoVersion)
	return nil
}
