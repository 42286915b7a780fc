package policies

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/config"
)

func componentYAML(name, typ, owner string, extra ...string) string {
	s := fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: %s\n", name)
	if len(extra) > 0 {
		s += strings.Join(extra, "\n") + "\n"
	}
	s += "spec:\n  lifecycle: production\n"
	if typ != "" {
		s += "  type: " + typ + "\n"
	}
	if owner != "" {
		s += "  owner: " + owner + "\n"
	}
	return s
}

func locationYAML(targets ...string) string {
	s := "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  targets:\n"
	for _, t := range targets {
		s += fmt.Sprintf("    - %q\n", t)
	}
	return s
}

// componentSummary is "name path type type_source owner" per component.
func componentSummary(ev *Evaluation) []string {
	var out []string
	for _, c := range ev.Components {
		out = append(out, strings.Join([]string{c.Name, c.Path, c.Type, c.TypeSource, c.Owner}, " "))
	}
	return out
}

func notesText(ev *Evaluation) string {
	var b strings.Builder
	for _, n := range ev.Notes {
		fmt.Fprintf(&b, "%s:%d: %s\n", n.Path, n.Line, n.Message)
	}
	return b.String()
}

func TestComponentsFromCatalog(t *testing.T) {
	e := newEngine(t, nil)
	tests := []struct {
		name  string
		files map[string]string
		org   string
		want  []string
		notes []string // substrings of the notes, in any order
	}{
		{
			name:  "no catalog: one component at the root named after the repository",
			files: map[string]string{"README.md": "x"},
			want:  []string{"payments . service default "},
		},
		{
			name:  "root descriptor",
			files: map[string]string{"catalog-info.yaml": componentYAML("api", "service", "team-a")},
			want:  []string{"api . service catalog team-a"},
		},
		{
			name:  ".backstage/ describes the directory that holds it",
			files: map[string]string{".backstage/component.yaml": componentYAML("api", "website", "team-a")},
			want:  []string{"api . website catalog team-a"},
		},
		{
			name: "multi-document file",
			files: map[string]string{
				"catalog-info.yaml": componentYAML("api", "service", "team-a") + "---\n" + componentYAML("worker", "service", "team-b"),
			},
			want:  []string{"api . service catalog team-a", "worker . service catalog team-b"},
			notes: []string{"component:default/api and component:default/worker share the directory ."},
		},
		{
			name: "Location targets relative to the Location's file, optional and required presence",
			files: map[string]string{
				"catalog-info.yaml":                locationYAML("./packages/a/catalog-info.yaml", "packages/b/catalog-info.yaml", "nested/all.yaml"),
				"packages/a/catalog-info.yaml":     componentYAML("a", "library", "team-a"),
				"packages/b/catalog-info.yaml":     componentYAML("b", "", "team-b"),
				"packages/b/package.json":          "{}",
				"nested/all.yaml":                  locationYAML("../packages/c/catalog-info.yaml", "gone.yaml"),
				"packages/c/catalog-info.yaml":     componentYAML("c", "website", "team-c"),
				"optional/catalog-info.yaml":       "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: o}\nspec:\n  presence: optional\n  target: missing.yaml\n",
				"packages/unlisted/catalog-info.x": componentYAML("x", "service", "x"),
			},
			want:  []string{"a packages/a library catalog team-a", "b packages/b library inferred team-b", "c packages/c website catalog team-c"},
			notes: []string{`nested/all.yaml:6: Location target "gone.yaml" does not exist in the repository (presence: required)`},
		},
		{
			name: "optional Location target may be missing",
			files: map[string]string{
				"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: o}\nspec:\n  presence: optional\n  target: missing.yaml\n",
			},
			want: []string{"payments . service default "},
		},
		{
			name: "a Location that targets itself",
			files: map[string]string{
				"catalog-info.yaml":     locationYAML("catalog-info.yaml", "./catalog-info.yaml", "svc/catalog-info.yaml"),
				"svc/catalog-info.yaml": componentYAML("svc", "service", "team-a"),
			},
			want:  []string{"svc svc service catalog team-a"},
			notes: []string{`Location target "catalog-info.yaml" ignored: the Location targets its own file`, `"./catalog-info.yaml" ignored: the Location targets its own file`},
		},
		{
			name: "a cycle of Locations",
			files: map[string]string{
				"catalog-info.yaml": locationYAML("a/loc.yaml"),
				"a/loc.yaml":        locationYAML("../b/loc.yaml"),
				"b/loc.yaml":        locationYAML("../a/loc.yaml", "../catalog-info.yaml", "svc.yaml"),
				"b/svc.yaml":        componentYAML("svc", "service", "team-a"),
			},
			want:  []string{"svc b service catalog team-a"},
			notes: []string{"a/loc.yaml is already read (a cycle of Locations)", "catalog-info.yaml is already read"},
		},
		{
			// os2mo: the root Location lists the .backstage/ files that
			// discovery reads anyway, which is no cycle.
			name: "a Location listing files discovery read",
			files: map[string]string{
				"catalog-info.yaml":   locationYAML(".backstage/svc.yaml", "./.backstage/svc.yaml"),
				".backstage/svc.yaml": componentYAML("svc", "service", "team-a"),
			},
			want: []string{"svc . service catalog team-a"},
		},
		{
			name: "targets outside the repository",
			files: map[string]string{
				"catalog-info.yaml": locationYAML("../x/catalog-info.yaml", "/etc/passwd", "https://github.com/acme/other/blob/main/catalog-info.yaml", "url:https://example.com/c.yaml", "C:\\x.yaml"),
			},
			want: []string{"payments . service default "},
			notes: []string{
				`"../x/catalog-info.yaml" ignored: outside the repository`,
				`"/etc/passwd" ignored: an absolute path`,
				`"https://github.com/acme/other/blob/main/catalog-info.yaml" ignored: a URL`,
				`"url:https://example.com/c.yaml" ignored: a URL`,
				`"C:\\x.yaml" ignored: an absolute path`,
			},
		},
		{
			name: "source-location inside the repository moves the component; outside is ignored",
			files: map[string]string{
				"catalog-info.yaml": componentYAML("api", "service", "team-a", "  annotations:\n    backstage.io/source-location: url:https://github.com/acme/payments/tree/main/services/api/") +
					"---\n" + componentYAML("ext", "service", "team-b", "  annotations:\n    backstage.io/source-location: url:https://github.com/other/repo/tree/main/x"),
				"services/api/main.go": "package main",
			},
			want:  []string{"api services/api service catalog team-a", "ext . service catalog team-b"},
			notes: []string{`catalog-info.yaml:17: backstage.io/source-location "url:https://github.com/other/repo/tree/main/x" of component:default/ext ignored: it points outside this repository; the component's directory is .`},
		},
		{
			name: "source-location outside the repository as dir:, absolute or a bare URL",
			files: map[string]string{
				"svc/catalog-info.yaml": componentYAML("up", "service", "team-a", "  annotations:\n    backstage.io/source-location: dir:../../x") +
					"---\n" + componentYAML("abs", "service", "team-b", "  annotations:\n    backstage.io/source-location: dir:/etc") +
					"---\n" + componentYAML("bare", "service", "team-c", "  annotations:\n    backstage.io/source-location: https://github.com/acme/payments/tree/main/svc"),
				"svc/main.go": "package main",
			},
			org:  "catalog:\n  discover: ['svc/catalog-info.yaml']\n",
			want: []string{"up svc service catalog team-a", "abs svc service catalog team-b", "bare svc service catalog team-c"},
			notes: []string{
				`svc/catalog-info.yaml:6: backstage.io/source-location "dir:../../x" of component:default/up ignored: it points outside the repository; the component's directory is svc`,
				`backstage.io/source-location "dir:/etc" of component:default/abs ignored: it points outside the repository`,
				`backstage.io/source-location "https://github.com/acme/payments/tree/main/svc" of component:default/bare ignored: expected url:<address> or dir:<path>`,
				"component:default/up and component:default/abs share the directory svc",
			},
		},
		{
			name: "two descriptor files whose components share a directory",
			files: map[string]string{
				"catalog-info.yaml":   locationYAML("a/catalog-info.yaml", "b/catalog-info.yaml"),
				"a/catalog-info.yaml": componentYAML("a", "service", "team-a"),
				"b/catalog-info.yaml": componentYAML("b", "service", "team-b", "  annotations:\n    backstage.io/source-location: dir:../a"),
				"a/main.go":           "package main",
			},
			want:  []string{"a a service catalog team-a", "b a service catalog team-b"},
			notes: []string{"component:default/a and component:default/b share the directory a"},
		},
		{
			name: "catalog documents that are a list or a scalar are no components",
			files: map[string]string{
				"catalog-info.yaml": "- kind: Component\n  metadata: {name: a}\n---\njust a string\n---\n42\n",
			},
			want: []string{"payments . service default "},
		},
		{
			name: "catalog.discover globs with **",
			files: map[string]string{
				"services/a/catalog-info.yaml": componentYAML("a", "service", "team-a"),
				"libs/b/catalog-info.yaml":     componentYAML("b", "library", "team-b"),
				"catalog-info.yaml":            componentYAML("root", "service", "team-r"),
			},
			org:  "catalog:\n  discover: ['**/catalog-info.yaml']\n",
			want: []string{"root . service catalog team-r", "b libs/b library catalog team-b", "a services/a service catalog team-a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Repository: Repository{Owner: "acme", Name: "payments", DefaultBranch: "main"}}
			if tt.org != "" {
				org, err := config.ParseOrg("golden-path.yaml", []byte(tt.org))
				if err != nil {
					t.Fatal(err)
				}
				req.Org = org
			}
			ev := evaluate(t, e, tt.files, req)
			if got := componentSummary(ev); !slices.Equal(got, tt.want) {
				t.Errorf("components:\n got %q\nwant %q", got, tt.want)
			}
			notes := notesText(ev)
			for _, n := range tt.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			if len(tt.notes) == 0 && notes != "" {
				t.Errorf("unexpected notes:\n%s", notes)
			}
		})
	}
}

func TestCatalogDiscoveryIsBounded(t *testing.T) {
	e := newEngine(t, nil)
	t.Run("10,000 Location targets", func(t *testing.T) {
		targets := make([]string, 10_000)
		files := map[string]string{}
		for i := range targets {
			targets[i] = fmt.Sprintf("c%05d/catalog-info.yaml", i)
			if i%10 == 0 {
				files[targets[i]] = componentYAML(fmt.Sprintf("c%05d", i), "service", "team")
			}
		}
		files["catalog-info.yaml"] = locationYAML(targets...)
		snap := &memSnapshot{files: files}
		ev, err := e.Evaluate(t.Context(), snap, Request{Repository: Repository{Owner: "acme", Name: "payments"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Components) != maxLocationTarget/10 {
			t.Errorf("%d components, want the %d the followed targets hold", len(ev.Components), maxLocationTarget/10)
		}
		if len(snap.read) > maxCatalogFiles+len(ev.Components)*10 {
			t.Errorf("read %d files", len(snap.read))
		}
		if len(ev.Notes) != maxCatalogNotes+1 || !strings.HasPrefix(ev.Notes[maxCatalogNotes].Message, "and ") {
			t.Errorf("notes not bounded: %d, last %+v", len(ev.Notes), ev.Notes[len(ev.Notes)-1])
		}
	})
	t.Run("a 5 MB catalog file is not read", func(t *testing.T) {
		snap := &memSnapshot{
			files: map[string]string{"catalog-info.yaml": componentYAML("big", "service", "team")},
			sizes: map[string]int64{"catalog-info.yaml": 5 << 20},
		}
		ev, err := e.Evaluate(t.Context(), snap, Request{Repository: Repository{Owner: "acme", Name: "payments"}})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(snap.read, "catalog-info.yaml") {
			t.Error("the engine read the 5 MB file")
		}
		if got := componentSummary(ev); !slices.Equal(got, []string{"payments . service default "}) {
			t.Errorf("components %q", got)
		}
		if r := result(t, ev, "catalog.valid"); r.Status != StatusFail || !strings.Contains(r.Message, "too_large") {
			t.Errorf("catalog.valid = %s %q", r.Status, r.Message)
		}
	})
}

func TestUnknownComponentTypeIsAProblem(t *testing.T) {
	e := newEngine(t, nil)
	tests := []struct {
		name     string
		files    map[string]string
		override string
		want     string
	}{
		{"catalog spec.type", map[string]string{"catalog-info.yaml": componentYAML("api", "servce", "team")},
			"", `catalog-info.yaml:7: spec.type "servce" of component:default/api is not a component type any rule knows`},
		{"override component_type", map[string]string{},
			"owner: team\ncomponent_type: libary\n", `.github/golden-path.yaml:2: component_type "libary" is not a component type any rule knows`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{}
			if tt.override != "" {
				o, err := config.ParseRepoOverride(".github/golden-path.yaml", []byte(tt.override))
				if err != nil {
					t.Fatal(err)
				}
				req.Override = o
			}
			ev := evaluate(t, e, tt.files, req)
			var got []string
			for _, p := range ev.Problems {
				got = append(got, fmt.Sprintf("%s:%d: %s", p.Source, p.Line, p.Message))
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) || !strings.Contains(got[0], "did you mean") {
				t.Errorf("problems %q, want one starting %q with a suggestion", got, tt.want)
			}
		})
	}
}

func TestComponentRulesAreJudgedPerComponent(t *testing.T) {
	e := newEngine(t, nil)
	readme := "# x\n\nThis package does one thing well and is documented here.\nRun it with make run.\nOwned by the team.\n"
	files := map[string]string{
		"catalog-info.yaml":              locationYAML("services/*/catalog-info.yaml"),
		"README.md":                      readme,
		".github/CODEOWNERS":             "* @acme/platform\n",
		"services/api/catalog-info.yaml": componentYAML("api", "service", "team-api"),
		"services/api/README.md":         readme,
		"services/web/catalog-info.yaml": componentYAML("web", "website", ""),
		"services/lib/catalog-info.yaml": componentYAML("lib", "library", "team-lib"),
		"services/lib/README.md":         readme,
	}
	ev := evaluate(t, e, files, Request{})
	if got := componentSummary(ev); !slices.Equal(got, []string{
		"api services/api service catalog team-api", "lib services/lib library catalog team-lib", "web services/web website catalog @acme/platform",
	}) {
		t.Fatalf("components %q", got)
	}
	byComponent := func(rule string) string {
		var out []string
		for _, c := range ev.Components {
			for _, r := range c.Results {
				if r.Rule == rule {
					out = append(out, c.Name+"="+string(r.Status))
				}
			}
		}
		return strings.Join(out, " ")
	}
	for rule, want := range map[string]string{
		"docs.readme":     "api=pass lib=pass web=fail",
		"catalog.owner":   "api=pass lib=pass web=fail",
		"measurement.slo": "api=fail lib=skip web=skip",
	} {
		if got := byComponent(rule); got != want {
			t.Errorf("%s per component: %s, want %s", rule, got, want)
		}
	}
	readmeResult := result(t, ev, "docs.readme")
	if readmeResult.Status != StatusFail || readmeResult.Scope != ScopeComponent ||
		!strings.HasPrefix(readmeResult.Message, "fails for 1 of 3 components\n- web (services/web): no README") {
		t.Errorf("repository-level docs.readme: %s %q", readmeResult.Status, readmeResult.Message)
	}
	if r := result(t, ev, "ownership.codeowners"); r.Scope != ScopeRepository {
		t.Errorf("ownership.codeowners scope %q", r.Scope)
	}
	for _, c := range ev.Components {
		for _, r := range c.Results {
			if r.Scope != ScopeComponent {
				t.Errorf("component %s holds %s rule %s", c.Name, r.Scope, r.Rule)
			}
		}
	}
}

func TestCustomRuleScope(t *testing.T) {
	const schema1 = `# METADATA
# title: Has a Makefile
# custom:
#   aspect: adoption
#   level: 1
#   severity: warning
package goldenpath.custom.make

deny contains "no Makefile" if not input.names.Makefile
`
	const badScope = `# METADATA
# title: Bad scope
# custom:
#   aspect: adoption
#   level: 1
#   severity: warning
#   scope: components
package goldenpath.custom.bad

deny contains "x" if false
`
	e := newEngine(t, map[string]string{"make.rego": schema1, "bad.rego": badScope})
	ev := evaluate(t, e, map[string]string{"catalog-info.yaml": componentYAML("a", "service", "t") + "---\n" + componentYAML("b", "library", "t")}, Request{})
	r := result(t, ev, "custom.make")
	if r.Scope != ScopeRepository || r.Status != StatusFail || r.Message != "no Makefile" {
		t.Errorf("schema-1 rule: %+v", r)
	}
	var problems []string
	for _, p := range ev.Problems {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", p.Source, p.Line, p.Message))
	}
	want := `bad.rego:8: rule custom.bad: custom.scope must be repository or component, got "components"`
	if !slices.Contains(problems, want) {
		t.Errorf("problems %q, want %q", problems, want)
	}
}

// TestRootFallbackWhereTheConventionAllows judges a component below the root
// whose evidence sits elsewhere in the repository: per rule, whether the
// convention lets that evidence count.
func TestRootFallbackWhereTheConventionAllows(t *testing.T) {
	e := newEngine(t, nil)
	readme := "# x\n\nThis package does one thing well and is documented here.\nRun it with make run.\nOwned by the team.\n"
	svc := componentYAML("payments", "service", "group:pay", "  annotations:\n    backstage.io/techdocs-ref: dir:../..")
	svc = strings.Replace(svc, "  lifecycle: production\n", "  lifecycle: production\n  providesApis: [api:default/payments-api]\n", 1)
	tests := []struct {
		rule  string
		files map[string]string
		want  Status
		msg   string // a part of the component's message
	}{
		// A root README documents the root project, not a sub-package.
		{"docs.readme", map[string]string{"README.md": readme}, StatusFail, "no README"},
		{"docs.readme", map[string]string{"services/payments/README.md": readme}, StatusPass, "services/payments/README.md"},
		// A workspace lockfile at the root locks every package below it; a Go
		// module keeps its own go.sum.
		{"deps.lockfile", map[string]string{"services/payments/package.json": `{"dependencies": {"a": "1"}}`, "package-lock.json": "{}"}, StatusPass, "by package-lock.json"},
		{"deps.lockfile", map[string]string{"services/payments/go.mod": "module x\nrequire a v1\n", "go.sum": ""}, StatusFail, "services/payments/go.mod has no committed lockfile"},
		// Shared deployment, runbook, dashboard and SLO trees count when they
		// name the component; another component's or an unnamed file does not.
		{"iac.present", map[string]string{"deploy/k8s/payments/deployment.yaml": "kind: Deployment\n"}, StatusPass, "deploy/k8s/payments/deployment.yaml"},
		{"iac.present", map[string]string{"terraform/payments.tf": ""}, StatusPass, "terraform/payments.tf"},
		{"iac.present", map[string]string{"deploy/k8s/orders/deployment.yaml": "", "main.tf": ""}, StatusFail, "no infrastructure as code"},
		{"iac.present", map[string]string{"examples/payments/main.tf": ""}, StatusFail, "no infrastructure as code"},
		{"operations.runbook", map[string]string{"docs/runbooks/payments.md": "# Runbook\n"}, StatusPass, "docs/runbooks/payments.md"},
		{"operations.runbook", map[string]string{"RUNBOOK.md": "# Runbook\n"}, StatusFail, "no runbook"},
		{"measurement.observability", map[string]string{"dashboards/payments-overview.json": "{}"}, StatusPass, "dashboards/payments-overview.json"},
		{"measurement.slo", map[string]string{"slos/payments.yaml": "apiVersion: openslo/v1\nkind: SLO\n"}, StatusPass, "slos/payments.yaml"},
		{"measurement.slo", map[string]string{"slos/orders.yaml": "apiVersion: openslo/v1\nkind: SLO\n"}, StatusFail, "no SLO definitions"},
		{"measurement.error_budget", map[string]string{"slos/payments-slo.yaml": "version: prometheus/v1\nslos:\n  - name: a\n    alerting:\n      page_alert: {}\n"}, StatusPass, "slos/payments-slo.yaml"},
		// Entity references are global: the provided API may be declared in a
		// shared catalog file, its definition relative to that file.
		{"interfaces.api_spec", map[string]string{
			"apis/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: payments-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: group:pay\n  definition:\n    $text: ./payments.yaml\n",
			"apis/payments.yaml":     "openapi: 3.1.0\n",
		}, StatusPass, "apis/payments.yaml"},
		// dir: is relative to the descriptor: ../.. from services/payments/ is the root.
		{"docs.techdocs", map[string]string{"mkdocs.yml": "site_name: all\n"}, StatusPass, "TechDocs built from mkdocs.yml"},
		// Release tooling at the root releases every package; a root CHANGELOG is the root project's.
		{"releases.changelog", map[string]string{"release-please-config.json": "{}"}, StatusPass, "release-please at the root"},
		{"releases.changelog", map[string]string{"CHANGELOG.md": "# Changelog\n"}, StatusFail, "no release notes"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+strings.Join(slices.Sorted(maps.Keys(tt.files)), ","), func(t *testing.T) {
			files := map[string]string{
				"catalog-info.yaml":                   locationYAML("services/payments/catalog-info.yaml", "services/orders/catalog-info.yaml", "apis/catalog-info.yaml"),
				"services/payments/catalog-info.yaml": svc,
				"services/payments/main.go":           "package main",
				"services/orders/catalog-info.yaml":   componentYAML("orders", "service", "group:orders"),
			}
			maps.Copy(files, tt.files)
			if _, ok := files["apis/catalog-info.yaml"]; !ok {
				files["catalog-info.yaml"] = locationYAML("services/payments/catalog-info.yaml", "services/orders/catalog-info.yaml")
			}
			ev := evaluate(t, e, files, Request{Repository: Repository{Owner: "acme", Name: "shop"}})
			for _, c := range ev.Components {
				if c.Name != "payments" {
					continue
				}
				for _, r := range c.Results {
					if r.Rule == tt.rule {
						if r.Status != tt.want || !strings.Contains(r.Message, tt.msg) {
							t.Errorf("%s for payments: %s %q, want %s with %q", tt.rule, r.Status, r.Message, tt.want, tt.msg)
						}
						return
					}
				}
			}
			t.Fatalf("no %s result for component payments: %q", tt.rule, componentSummary(ev))
		})
	}
}

// TestComponentFilesMatchTheWalk checks input.component.files, which spares
// lib.read_files a walk of every read file, against that walk: each component
// sees the read files in its directory only, outside non-evidence trees.
func TestComponentFilesMatchTheWalk(t *testing.T) {
	const rule = `# METADATA
# title: Lists its read files
# custom:
#   aspect: adoption
#   level: 1
#   severity: info
#   scope: component
#   reads: ["NOTES.md", "vendor/NOTES.md"]
package goldenpath.custom.files

import data.goldenpath.lib

deny contains sprintf("%v %v %v", [own, used, walked]) if {
	own := input.component.files
	used := sort(lib.read_files)
	walked := sort(lib.read_files) with input.component.files as null
}
`
	e := newEngine(t, map[string]string{"files.rego": rule})
	ev := evaluate(t, e, map[string]string{
		"catalog-info.yaml":    locationYAML("a/catalog-info.yaml", "ab/catalog-info.yaml"),
		"a/catalog-info.yaml":  componentYAML("a", "service", "t"),
		"a/NOTES.md":           "a",
		"a/vendor/NOTES.md":    "vendored",
		"ab/catalog-info.yaml": componentYAML("ab", "service", "t"),
		"NOTES.md":             "root",
	}, Request{})
	want := map[string]string{
		"a":  `["a/NOTES.md", "a/vendor/NOTES.md"] ["a/NOTES.md"] ["a/NOTES.md"]`,
		"ab": `[] [] []`,
	}
	for _, c := range ev.Components {
		got := ""
		for _, r := range c.Results {
			if r.Rule == "custom.files" {
				got = r.Message
			}
		}
		if got != want[c.Name] {
			t.Errorf("component %s: got %s, want %s", c.Name, got, want[c.Name])
		}
	}
	if len(ev.Components) != len(want) {
		t.Errorf("%d components, want %d", len(ev.Components), len(want))
	}
}

// A component whose type no rule knows is judged by its files: the rules a
// service must pass still apply to a typo'd service.
func TestUnknownComponentTypeIsJudgedByItsFiles(t *testing.T) {
	e := newEngine(t, nil)
	for _, tc := range []struct {
		name, typ, extra, want string
		runbook                Status // operations.runbook applies to services only
	}{
		{"a typo of a service with a Dockerfile", "servce", "Dockerfile", TypeService, StatusFail},
		{"an org's own type on a Go module", "common-library", "go.mod", TypeLibrary, StatusSkip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := evaluate(t, e, map[string]string{"catalog-info.yaml": componentYAML("api", tc.typ, "team"), tc.extra: "x\n"}, Request{})
			c := ev.Components[0]
			if c.Type != tc.want || c.TypeSource != TypeFromInferred || !strings.Contains(c.TypeReason, fmt.Sprintf("spec.type %q is no type a rule knows", tc.typ)) {
				t.Errorf("component = %s (%s): %s, want %s inferred", c.Type, c.TypeSource, c.TypeReason, tc.want)
			}
			for _, r := range ev.Results {
				if r.Rule == "operations.runbook" && r.Status != tc.runbook {
					t.Errorf("operations.runbook %s, want %s", r.Status, tc.runbook)
				}
			}
			if len(ev.Problems) != 1 {
				t.Errorf("problems %+v, want the unknown type", ev.Problems)
			}
		})
	}
}

// TestFindSharedPaths checks which files outside every component's directory
// name a component, whatever the order and nesting of the components.
func TestFindSharedPaths(t *testing.T) {
	paths := []string{
		"deploy/a/app.yaml", "deploy/ab/app.yaml", "deploy/b.yaml", "k8s/A.yaml", "README.md",
		"services/a/deploy/a.yaml", "services/a/inner/b.yaml", "services/b/a.yaml", "slos/a-slo.yaml",
		"slos/b_slo.yaml", "z/a.x/y",
	}
	var entries []Entry
	for _, p := range paths {
		entries = append(entries, Entry{Path: p})
	}
	ix := newPathIndex(entries)
	a := &Component{Name: "a", Path: "services/a"}
	inner := &Component{Name: "inner", Path: "services/a/inner"}
	b := &Component{Name: "B", Path: "services/b"}
	root := &Component{Name: "a", Path: RootPath}
	findSharedPaths(ix, []*Component{b, inner, root, a})
	for _, tc := range []struct {
		c    *Component
		want []string
	}{
		{a, []string{"deploy/a/app.yaml", "k8s/A.yaml", "slos/a-slo.yaml", "z/a.x/y"}},
		{b, []string{"deploy/b.yaml", "slos/b_slo.yaml"}},
		{inner, nil},
		{root, nil},
	} {
		if fmt.Sprint(tc.c.shared) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.c.Path, tc.c.shared, tc.want)
		}
	}
}
