package policies

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/config"
	"github.com/open-policy-agent/opa/v1/ast"
)

// TestCatalogValidAgreesWithBackstage runs catalog.valid on whole catalog files, so
// the parser and the rule are judged together the way Backstage judges a file.
func TestCatalogValidAgreesWithBackstage(t *testing.T) {
	const entity = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\nspec:\n  type: service\n  lifecycle: production\n  owner: group:payments\n"
	tests := []struct {
		name    string
		catalog string
		status  Status
		message string // a part of the message
	}{
		{"valid", entity, StatusPass, "1 catalog entities in catalog-info.yaml pass"},
		{"trailing document separator", entity + "---\n", StatusPass, "1 catalog entities"},
		{"null document", entity + "---\n~\n", StatusPass, "1 catalog entities"},
		{"empty file", "", StatusFail, "catalog-info.yaml:1: holds no entity (the file is empty or only comments)"},
		{"only comments", "# apiVersion: backstage.io/v1alpha1\n# kind: Component\n", StatusFail, "holds no entity"},
		{"duplicate top-level key", entity + "kind: API\n", StatusFail, `catalog-info.yaml:9: cannot be parsed: duplicate key "kind" (first on line 2)`},
		{"duplicate nested key", strings.Replace(entity, "  owner: group:payments\n", "  owner: group:payments\n  owner: group:other\n", 1), StatusFail, `catalog-info.yaml:9: cannot be parsed: duplicate key "spec.owner" (first on line 8)`},
		{"key outside the envelope", entity + "owner: group:payments\n", StatusFail, `catalog-info.yaml:9: top-level key "owner" is not allowed`},
		{"same entity twice in the file", entity + "---\n" + entity, StatusPass, `warning: catalog-info.yaml:13: Component "payments" is listed twice in the file (also at line 4)`},
		{"a list, not an entity", "- a\n- b\n", StatusFail, "catalog-info.yaml:1: document 1 is not a mapping"},
	}
	e := newEngine(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := evaluate(t, e, map[string]string{"catalog-info.yaml": tt.catalog}, Request{})
			r := result(t, ev, "catalog.valid")
			if r.Status != tt.status || !strings.Contains(r.Message, tt.message) {
				t.Fatalf("catalog.valid %s: %q, want %s with %q", r.Status, r.Message, tt.status, tt.message)
			}
		})
	}
}

// TestCatalogValueMatchesJSON checks the field-by-field conversion of the
// catalog and CODEOWNERS against the JSON round trip it replaces, on the
// corpus and on values JSON writes its own way (floats, nulls, nil slices).
func TestCatalogValueMatchesJSON(t *testing.T) {
	catalogs := []Catalog{
		{},
		{Files: []string{"a.yaml"}, Entities: []CatalogEntity{{Path: "a.yaml", Entity: map[string]any{
			"f": 1e20, "g": 1.5, "h": 1e-7, "i": int64(3), "n": nil, "l": []any{true, "x", map[string]any{"k": 2.0}},
		}, Lines: map[string]int{"kind": 2}}, {Path: "b.yaml", Entity: nil}}, Errors: []FileError{{Line: 1, Message: "m"}}},
	}
	if entries, err := os.ReadDir(corpusDir); err == nil {
		for _, d := range entries {
			if !d.IsDir() {
				continue
			}
			snap := openCorpus(t, d.Name())
			cat, err := discoverCatalog(context.Background(), snap, newPathIndex(snap.entries), config.DefaultCatalogDiscover, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			catalogs = append(catalogs, cat)
		}
	}
	for i, cat := range catalogs {
		want := ast.MustInterfaceToValue(cat)
		got, _, err := catalogValue(cat)
		if err != nil || got.Compare(want) != 0 {
			t.Errorf("catalog %d: %v\ngot  %v\nwant %v", i, err, got, want)
		}
	}
	for _, c := range []*Codeowners{
		{Path: "CODEOWNERS"},
		{Path: ".github/CODEOWNERS", Rules: []CodeownerRule{{Pattern: "*", Owners: []string{"@a/b"}, Line: 1}, {Pattern: "x"}}, Errors: []FileError{{Path: "p", Line: 2, Message: "bad"}}},
	} {
		if got, want := codeownersValue(c), ast.MustInterfaceToValue(c); got.Compare(want) != 0 {
			t.Errorf("codeowners: got %v, want %v", got, want)
		}
	}
}
