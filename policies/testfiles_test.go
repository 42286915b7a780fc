package policies

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// TestTestFilesAsTheRuleNamesThem checks input.test_files against the rule's
// own scan of the same paths (what it does with a hand-built input): the
// engine works the list out in Go from the rule's by_ext table, and the two
// must agree on every convention, including a Python prefix that names a
// directory, not the file.
func TestTestFilesAsTheRuleNamesThem(t *testing.T) {
	e := newEngine(t, nil)
	if len(e.tests) == 0 {
		t.Fatal("no test-file conventions read from " + testConventionsRef)
	}
	modules, err := BundledModules(false)
	if err != nil {
		t.Fatal(err)
	}
	var opts []func(*rego.Rego)
	for name, src := range modules {
		opts = append(opts, rego.Module(name, src))
	}
	scan, err := rego.New(append(opts, rego.Query("x := data.goldenpath.rules.measurement.tests.named_test_files"))...).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"go", []string{"main.go", "main_test.go", "testdata/x.go"}, []string{"main_test.go"}},
		{"python suffix and prefix", []string{"pkg/test_api.py", "pkg/api_test.py", "pkg/api.py"}, []string{"pkg/api_test.py", "pkg/test_api.py"}},
		{"python prefix of the whole path", []string{"test_utils/helpers.py", "pkg/test_utils/helpers.py"}, []string{"test_utils/helpers.py"}},
		{"javascript and typescript", []string{"src/app.spec.ts", "src/app.test.js", "src/app.ts", "src/spec.ts"}, []string{"src/app.spec.ts", "src/app.test.js"}},
		{"case of the suffix matters", []string{"src/AppTest.java", "src/Apptest.java", "src/app.TEST.JS"}, []string{"src/AppTest.java"}},
		{"terraform", []string{"tests/main.tftest.hcl", "main.hcl"}, []string{"tests/main.tftest.hcl"}},
		{"none", []string{"README.md", "Dockerfile"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var entries []Entry
			for _, p := range tt.paths {
				entries = append(entries, Entry{Path: p})
			}
			ix := newPathIndex(entries)
			got := ix.testFiles(e.tests)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("input.test_files = %v, want %v", got, tt.want)
			}
			rs, err := scan.Eval(context.Background(), rego.EvalParsedInput(ast.MustInterfaceToValue(map[string]any{"exts": ix.exts})))
			if err != nil {
				t.Fatal(err)
			}
			var scanned []string
			for _, p := range rs[0].Bindings["x"].([]any) {
				scanned = append(scanned, p.(string))
			}
			slices.Sort(scanned)
			if fmt.Sprint(slices.Compact(scanned)) != fmt.Sprint(got) {
				t.Fatalf("the rule's own scan finds %v, the engine %v", scanned, got)
			}
		})
	}
}
