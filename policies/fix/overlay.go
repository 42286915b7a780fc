package fix

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// overlay is a snapshot with a plan's files added: the repository as it will
// be once the fix is merged, so the rules can be run on it beforehand.
type overlay struct {
	base  policies.Snapshot
	added map[string][]byte
}

// Overlay returns snap with files added; they must not exist in snap (a plan
// never holds one).
func Overlay(snap policies.Snapshot, files []File) policies.Snapshot {
	o := &overlay{base: snap, added: map[string][]byte{}}
	for _, f := range files {
		o.added[f.Path] = f.Content
	}
	return o
}

func (o *overlay) Entries(ctx context.Context) ([]policies.Entry, error) {
	entries, err := o.base.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(entries)
	existing := make(map[string]bool, len(entries))
	for _, e := range entries {
		existing[e.Path] = true
	}
	for p, content := range o.added {
		if !existing[p] {
			out = append(out, policies.Entry{Path: p, SHA: blobSHA(content), Size: int64(len(content))})
		}
	}
	slices.SortFunc(out, func(a, b policies.Entry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

func (o *overlay) Read(ctx context.Context, paths []string) (map[string][]byte, error) {
	var rest []string
	out := map[string][]byte{}
	for _, p := range paths {
		if c, ok := o.added[p]; ok {
			out[p] = c
		} else {
			rest = append(rest, p)
		}
	}
	base, err := o.base.Read(ctx, rest)
	for p, c := range base {
		out[p] = c
	}
	return out, err
}

// blobSHA is git's object id of a blob: what the file's entry will say once committed.
func blobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}
