package policies

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
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

func TestLookup(t *testing.T) {
	long := make([]string, 40)
	for i := range long {
		long[i] = fmt.Sprintf("%q", fmt.Sprintf("d%02d/f", i))
	}
	sorted := `{"f": [` + strings.Join(long, ", ") + `]}`
	lookup := func(index, keys, dir, skip string) string {
		return fmt.Sprintf("goldenpath.lookup(%s, %s, %q, %s)", index, keys, dir, skip)
	}
	names := `{"a.md": ["a/a.md", "x/a.md"], "b.md": ["a/b.md"]}`
	tests := []struct{ name, expr, want string }{
		{"the root keeps every path", lookup(`{"f": ["b", "a"]}`, `["f"]`, "", "set()"), "[b a]"},
		{"key by key, in the order given", lookup(names, `["b.md", "a.md"]`, "", "set()"), "[a/b.md a/a.md x/a.md]"},
		{"keys as a set", lookup(names, `{"b.md", "a.md"}`, "a/", "set()"), "[a/a.md a/b.md]"},
		{"a missing key", lookup(names, `["c.md"]`, "", "set()"), "[]"},
		{"a short list may be unsorted", lookup(`{"f": ["x/2", "y/1", "x/1"]}`, `["f"]`, "x/", "set()"), "[x/2 x/1]"},
		{"a sibling sharing the prefix is outside", lookup(`{"f": ["a/x", "ab/x"]}`, `["f"]`, "a/", "set()"), "[a/x]"},
		{"the directory itself is not below it", lookup(`{"f": ["a", "a/x"]}`, `["f"]`, "a/", "set()"), "[a/x]"},
		{"a run of a long sorted list", lookup(sorted, `["f"]`, "d07/", "set()"), "[d07/f]"},
		{"before the first", lookup(sorted, `["f"]`, "a/", "set()"), "[]"},
		{"after the last", lookup(sorted, `["f"]`, "z/", "set()"), "[]"},
		{"the first", lookup(sorted, `["f"]`, "d00/", "set()"), "[d00/f]"},
		{"the last", lookup(sorted, `["f"]`, "d39/", "set()"), "[d39/f]"},
		{"skipped trees, in any case", lookup(`{"f": ["a/Vendor/f", "a/src/f", "a/src/vendor/f", "vendor/a/f"]}`, `["f"]`, "", `{"vendor"}`), "[a/src/f]"},
		{"only below the directory looked in", lookup(`{"f": ["vendor/a/f", "vendor/a/vendor/f"]}`, `["f"]`, "vendor/", `{"vendor"}`), "[vendor/a/f]"},
		{"a file's own name is not a directory", lookup(`{"vendor": ["a/vendor"]}`, `["vendor"]`, "", `{"vendor"}`), "[a/vendor]"},
		{"template placeholders", lookup(`{"f": ["{{cookiecutter.name}}/f", "a/f"]}`, `["f"]`, "", "set()"), "[a/f]"},
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
		`goldenpath.lookup("a", "a/")`,
		`goldenpath.lookup(["a"], 1)`,
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

func TestInputNeeds(t *testing.T) {
	const component, pathSet, dirs = "component indexes", "path set", "dirs"
	tests := []struct {
		name, body string
		want       []string // what the input must hold for it
	}{
		{"the component's path", `deny contains "x" if input.component.path == "a"`, nil},
		{"the component's names", `deny contains "x" if input.component.names["go.mod"]`, []string{component, pathSet}},
		{"the component's path set", `deny contains "x" if input.component.path_set["go.mod"]`, []string{component, pathSet}},
		{"a variable key of the component", `deny contains k if some k, _ in input.component`, []string{component, pathSet}},
		{"the whole component", `deny contains "x" if { c := input.component; c.exts }`, []string{component, pathSet}},
		{"the whole input", `deny contains "x" if walk(input, _)`, []string{component, pathSet, dirs}},
		{"a variable key of the input", `deny contains "x" if input[_].names`, []string{component, pathSet, dirs}},
		{"the repository's names", `deny contains "x" if input.names["go.mod"]`, nil},
		{"the repository's path set", `deny contains "x" if input.path_set["go.mod"]`, []string{pathSet}},
		{"the repository's directories", `deny contains "x" if input.dirs.ops`, []string{dirs}},
		{"the library's paths", `deny contains "x" if lib.all_paths["go.mod"]`, []string{pathSet}},
		{"the library's directories", `deny contains "x" if lib.all_dirs.ops`, []string{dirs}},
		{"the library's component", `deny contains "x" if lib.component.dir_names.k8s`, []string{component, pathSet}},
		{"the library's component path", `deny contains "x" if lib.component.path == "a"`, nil},
		{"the library's helpers", `deny contains "x" if { lib.exists("go.mod"); lib.dir_exists("ops"); lib.present("a") }`, nil},
		{"the whole library", `deny contains "x" if data.goldenpath.lib.component`, []string{component, pathSet}},
		{"a variable key of data", `deny contains "x" if data.goldenpath[_].component`, []string{component, pathSet, dirs}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compileWith(t, "package goldenpath.custom.x\n\nimport data.goldenpath.lib\n\n"+tt.body+"\n")
			var n inputNeeds
			n.add(c.Modules["custom.rego"])
			var got []string
			for _, need := range []struct {
				on   bool
				name string
			}{{n.componentIndexes, component}, {n.pathSet, pathSet}, {n.dirs, dirs}} {
				if need.on {
					got = append(got, need.name)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("needs %v, want %v", got, tt.want)
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
	if !e.needs.componentIndexes {
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
	if n := newEngine(t, nil).needs; n != (inputNeeds{}) {
		t.Errorf("the bundled rules turned on %+v", n)
	}
}

// TestSharedDocs checks which documents the units of an evaluation share:
// those that cannot depend on the component, through any rule or function.
func TestSharedDocs(t *testing.T) {
	const src = `package goldenpath.custom.shared

import data.goldenpath.lib

constant := ["a", "b"]

from_repository := count(input.paths)

from_component := input.component.path

from_type := input.component_type

through_a_rule := concat(",", [from_component])

through_a_function := f(1)

f(x) := concat("", [input.component.name, format_int(x, 10)])

through_lib := lib.base

whole_input := object.keys(input)

dynamic_key := input[k] if k := "paths"

under_with := x if {
	x := constant with input as {}
}

set_from_constant contains x if some x in constant

deny contains "x" if false
`
	docs := findSharedDocs(compileWith(t, src))
	for doc, want := range map[string]bool{
		"constant": true, "from_repository": true, "set_from_constant": true,
		"from_component": false, "from_type": false, "through_a_rule": false, "through_a_function": false,
		"through_lib": false, "whole_input": false, "dynamic_key": false, "under_with": false,
	} {
		ref := ast.MustParseRef("data.goldenpath.custom.shared." + doc)
		if got := docs.find(ref) >= 0; got != want {
			t.Errorf("%s shared = %v, want %v", doc, got, want)
		}
	}
	for _, lib := range []string{"non_evidence_dirs", "all_entities"} {
		if docs.find(ast.MustParseRef("data.goldenpath.lib."+lib)) < 0 {
			t.Errorf("lib.%s is not shared", lib)
		}
	}
	if docs.find(ast.MustParseRef(`data.goldenpath.custom.shared.constant[0]`)) >= 0 {
		t.Error("a key into a shared document is not the document")
	}
}

// TestSharedDocsKeepVerdicts evaluates a monorepo whose components differ in
// everything the rules look at; sharing must not carry one component's
// answers to the next.
func TestSharedDocsKeepVerdicts(t *testing.T) {
	files := map[string]string{
		"catalog-info.yaml":   locationYAML("a/catalog-info.yaml", "b/catalog-info.yaml"),
		"a/catalog-info.yaml": componentYAML("a", "service", "group:team-a"),
		"a/README.md":         strings.Repeat("Service a does a thing and says how to run it in detail.\n", 6),
		"a/CHANGELOG.md":      "# 1.0\n",
		"a/Makefile":          "run:\n",
		"b/catalog-info.yaml": componentYAML("b", "library", "user:someone"),
	}
	e := newEngine(t, nil)
	ev := evaluate(t, e, files, Request{})
	alone := map[string]*Evaluation{}
	for _, c := range []string{"a", "b"} {
		only := map[string]string{"catalog-info.yaml": locationYAML(c + "/catalog-info.yaml")}
		for p, s := range files {
			if strings.HasPrefix(p, c+"/") {
				only[p] = s
			}
		}
		alone[c] = evaluate(t, e, only, Request{})
	}
	outcomes := func(c Component) string {
		var b strings.Builder
		for _, r := range c.Results {
			fmt.Fprintf(&b, "%s %s %s\n", r.Rule, r.Status, r.Message)
		}
		return b.String()
	}
	for _, c := range ev.Components {
		if got, want := outcomes(c), outcomes(alone[c.Name].Components[0]); got != want {
			t.Errorf("component %s beside another:\n%s\nalone:\n%s", c.Name, got, want)
		}
	}
}

// input.path_set and input.dirs are filled in for a custom rule that reads
// them; without one, the library's helpers answer from the listing alone.
func TestPathSetAndDirsForCustomRules(t *testing.T) {
	files := map[string]string{"a/x": "x", "README.md": "x"}
	for _, tc := range []struct {
		name, body string
		needs      inputNeeds
		want       string
	}{
		{"the maps", `deny contains sprintf("%v %v %v", [input.path_set["a/x"], input.dirs.a, object.get(input.dirs, "b", false)])`, inputNeeds{pathSet: true, dirs: true}, "true true false"},
		{"the helpers", `deny contains sprintf("%v %v %v", [lib.present("a/x"), lib.dir_exists("a"), lib.existing(["README.md", "b"])]) if true`, inputNeeds{}, `true true ["README.md"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, map[string]string{"maps.rego": customRule("maps", "import data.goldenpath.lib\n"+tc.body+"\n")})
			if e.needs != tc.needs {
				t.Fatalf("needs %+v, want %+v", e.needs, tc.needs)
			}
			if r := result(t, evaluate(t, e, files, Request{}), "custom.maps"); r.Message != tc.want {
				t.Fatalf("got %s %q, want %q", r.Status, r.Message, tc.want)
			}
		})
	}
}

// compileWith compiles the bundled modules and one custom module,
// custom.rego, which must compile.
func compileWith(t *testing.T, src string) *ast.Compiler {
	t.Helper()
	bundled, err := BundledModules(false)
	if err != nil {
		t.Fatal(err)
	}
	set, problems, err := parseModules(bundled, map[string]string{"custom.rego": src}, false)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	c, problems, err := compileModules(set)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	return c
}
