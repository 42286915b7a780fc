package store

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
)

func blobSHA(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestEntriesRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		entries []policies.Entry
	}{
		{"empty", []policies.Entry{}},
		{"one file", []policies.Entry{{Path: "README.md", SHA: blobSHA("a"), Size: 12}}},
		{"shared prefixes", []policies.Entry{
			{Path: ".github/CODEOWNERS", SHA: blobSHA("1"), Size: 20},
			{Path: ".github/workflows/ci.yaml", SHA: blobSHA("2"), Size: 300},
			{Path: ".github/workflows/release.yaml", SHA: blobSHA("3"), Size: 0},
			{Path: "docs/index.md", SHA: blobSHA("4"), Size: 1 << 40},
		}},
		{"hostile names", []policies.Entry{
			{Path: "a b/\u00e9t\u00e9\x01.md", SHA: blobSHA("x"), Size: 1},
			{Path: "a b/\u00e9t\u00e9\x01.md\u202e", SHA: blobSHA("y"), Size: 2},
		}},
		{"SHA-256 repository", []policies.Entry{{Path: "x", SHA: strings.Repeat("ab", 32), Size: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := encodeListing(tt.entries)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeListing(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.entries) {
				t.Fatalf("round trip:\n got %v\nwant %v", got, tt.entries)
			}
		})
	}
}

func TestEncodeEntriesRefuses(t *testing.T) {
	tests := []struct {
		name    string
		entries []policies.Entry
		want    string
	}{
		{"unsorted", []policies.Entry{{Path: "b", SHA: blobSHA("b")}, {Path: "a", SHA: blobSHA("a")}}, "out of order"},
		{"not hex", []policies.Entry{{Path: "a", SHA: "zz"}}, "not hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := encodeListing(tt.entries); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeEntriesRejectsCorruptData(t *testing.T) {
	good, err := encodeListing([]policies.Entry{{Path: "a/b", SHA: blobSHA("1"), Size: 1}, {Path: "a/c", SHA: blobSHA("2"), Size: 2}})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)/2],
		"garbage":   []byte("not deflate at all"),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeListing(data); err == nil {
				t.Fatal("decoded corrupt data without an error")
			}
		})
	}
}

// TestStoredListingIsCompact holds the encoding to the size its comment promises.
func TestStoredListingIsCompact(t *testing.T) {
	entries := make([]policies.Entry, 0, 50_000)
	for i := range 50_000 {
		p := fmt.Sprintf("services/svc-%03d/internal/pkg%02d/file_%05d.go", i/500, i%50, i)
		entries = append(entries, policies.Entry{Path: p, SHA: blobSHA(p), Size: int64(i % 9000)})
	}
	slices.SortFunc(entries, func(a, b policies.Entry) int { return strings.Compare(a.Path, b.Path) })
	data, err := encodeListing(entries)
	if err != nil {
		t.Fatal(err)
	}
	asJSON, _ := json.Marshal(entries)
	t.Logf("50,000 entries: %d bytes encoded, %d as JSON", len(data), len(asJSON))
	if len(data) > 1_500_000 || len(data)*4 > len(asJSON) {
		t.Fatalf("50,000 entries take %d bytes (JSON %d)", len(data), len(asJSON))
	}
}
