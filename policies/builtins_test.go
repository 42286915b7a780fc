package policies

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// evalBuiltin evaluates one expression in the sandbox.
func evalBuiltin(t *testing.T, expr string) (string, error) {
	t.Helper()
	rs, err := rego.New(rego.Query("x := "+expr), rego.Capabilities(Capabilities()), rego.StrictBuiltinErrors(true)).Eval(context.Background())
	if err != nil {
		return "", err
	}
	if len(rs) != 1 {
		return "undefined", nil
	}
	return fmt.Sprint(rs[0].Bindings["x"]), nil
}

func TestUnder(t *testing.T) {
	long := make([]string, 40)
	for i := range long {
		long[i] = fmt.Sprintf("%q", fmt.Sprintf("d%02d/f", i))
	}
	sorted := "[" + strings.Join(long, ", ") + "]"
	tests := []struct{ name, expr, want string }{
		{"the root keeps the list", `goldenpath.under(["b", "a"], "")`, "[b a]"},
		{"a short list may be unsorted", `goldenpath.under(["x/2", "y/1", "x/1"], "x/")`, "[x/2 x/1]"},
		{"a sibling sharing the prefix is outside", `goldenpath.under(["a/x", "ab/x"], "a/")`, "[a/x]"},
		{"the directory itself is not below it", `goldenpath.under(["a", "a/x"], "a/")`, "[a/x]"},
		{"nothing below", `goldenpath.under(["a/x"], "b/")`, "[]"},
		{"a run of a long sorted list", `goldenpath.under(` + sorted + `, "d07/")`, "[d07/f]"},
		{"before the first", `goldenpath.under(` + sorted + `, "a/")`, "[]"},
		{"after the last", `goldenpath.under(` + sorted + `, "z/")`, "[]"},
		{"the first", `goldenpath.under(` + sorted + `, "d00/")`, "[d00/f]"},
		{"the last", `goldenpath.under(` + sorted + `, "d39/")`, "[d39/f]"},
		{"no paths", `goldenpath.under([], "a/")`, "[]"},
		{"existing in the order given", `goldenpath.existing({"a/x": true, "a/y": true}, ["y", "z", "x"], "a/")`, "[a/y a/x]"},
		{"existing from the root", `goldenpath.existing({"x": true}, ["x", "a/x"], "")`, "[x]"},
		{"existing of nothing", `goldenpath.existing({}, [], "")`, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evalBuiltin(t, tt.expr)
			if err != nil || got != tt.want {
				t.Fatalf("%s = %s (%v), want %s", tt.expr, got, err, tt.want)
			}
		})
	}
}

func TestBuiltinOperandErrors(t *testing.T) {
	for _, expr := range []string{
		`goldenpath.under("a", "a/")`,
		`goldenpath.under(["a"], 1)`,
		`goldenpath.existing([], ["a"], "")`,
		`goldenpath.existing({}, "a", "")`,
		`goldenpath.existing({}, ["a"], 1)`,
		`goldenpath.existing({}, [1], "")`,
	} {
		t.Run(expr, func(t *testing.T) {
			if got, err := evalBuiltin(t, expr); err == nil {
				t.Fatalf("%s = %s, want an error", expr, got)
			}
		})
	}
}

func TestReadsComponentIndexes(t *testing.T) {
	tests := []struct {
		name, body string
		want       bool
	}{
		{"the component's path", `deny contains "x" if input.component.path == "a"`, false},
		{"the component's names", `deny contains "x" if input.component.names["go.mod"]`, true},
		{"the component's path set", `deny contains "x" if input.component.path_set["go.mod"]`, true},
		{"a variable key of the component", `deny contains k if some k, _ in input.component`, true},
		{"the whole component", `deny contains "x" if { c := input.component; c.exts }`, true},
		{"the whole input", `deny contains "x" if walk(input, _)`, true},
		{"a variable key of the input", `deny contains "x" if input[_].names`, true},
		{"the repository's indexes", `deny contains "x" if input.names["go.mod"]`, false},
		{"the library's component", `deny contains "x" if lib.component.dir_names.k8s`, true},
		{"the library's component path", `deny contains "x" if lib.component.path == "a"`, false},
		{"the library's helpers", `deny contains "x" if lib.exists("go.mod")`, false},
		{"the whole library", `deny contains "x" if data.goldenpath.lib.component`, true},
		{"a variable key of data", `deny contains "x" if data.goldenpath[_].component`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package goldenpath.custom.x\n\nimport data.goldenpath.lib\n\n" + tt.body + "\n"
			bundled, err := BundledModules(false)
			if err != nil {
				t.Fatal(err)
			}
			set, problems, err := parseModules(bundled, map[string]string{"x.rego": src}, false)
			if err != nil || len(problems) > 0 {
				t.Fatal(err, problems)
			}
			c, problems, err := compileModules(set)
			if err != nil || len(problems) > 0 {
				t.Fatal(err, problems)
			}
			if got := readsComponentIndexes(c.Modules["x.rego"]); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A custom component rule that reads input.component's indexes gets them,
// restricted to its component; without such a rule they are not built.
func TestComponentIndexesForCustomRules(t *testing.T) {
	const rule = `# METADATA
# title: Lists its component's files
# custom:
#   aspect: adoption
#   level: 1
#   severity: info
#   scope: component
package goldenpath.custom.indexes

deny contains sprintf("%v %v %v %v", [object.keys(c.path_set), object.get(c.names, "README.md", []), object.get(c.exts, ".md", []), object.keys(c.dir_names)]) if c := input.component
`
	files := map[string]string{
		"catalog-info.yaml":   locationYAML("a/catalog-info.yaml", "b/catalog-info.yaml"),
		"a/catalog-info.yaml": componentYAML("a", "service", "t"),
		"a/docs/README.md":    "a",
		"b/catalog-info.yaml": componentYAML("b", "service", "t"),
		"README.md":           "root",
	}
	e := newEngine(t, map[string]string{"indexes.rego": rule})
	if !e.componentIndexes {
		t.Fatal("a rule reading input.component's indexes did not turn them on")
	}
	want := map[string]string{
		"a": `{"catalog-info.yaml", "docs/README.md"} ["a/docs/README.md"] ["a/docs/README.md"] {"docs"}`,
		"b": `{"catalog-info.yaml"} [] [] set()`,
	}
	ev := evaluate(t, e, files, Request{})
	for _, c := range ev.Components {
		for _, r := range c.Results {
			if r.Rule == "custom.indexes" && r.Message != want[c.Name] {
				t.Errorf("component %s: got %s, want %s", c.Name, r.Message, want[c.Name])
			}
		}
	}
	if newEngine(t, nil).componentIndexes {
		t.Error("the bundled rules turned the component indexes on")
	}
}
