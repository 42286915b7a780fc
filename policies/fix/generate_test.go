package fix

import (
	"context"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/goldenpath/goldenpath/policies"
)

// memSnap is a snapshot held in memory.
type memSnap map[string]string

func (m memSnap) Entries(context.Context) ([]policies.Entry, error) {
	var out []policies.Entry
	for p, c := range m {
		out = append(out, policies.Entry{Path: p, Size: int64(len(c))})
	}
	return out, nil
}

func (m memSnap) Read(_ context.Context, paths []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, p := range paths {
		if c, ok := m[p]; ok {
			out[p] = []byte(c)
		}
	}
	return out, nil
}

func gather(t *testing.T, files memSnap, repo policies.Repository, owner string) *Facts {
	t.Helper()
	f, err := Gather(context.Background(), files, repo, &policies.Evaluation{ComponentType: "service", Owner: owner}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestHostileFacts: names with newlines, YAML-looking descriptions, mentions and
// HTML never add a key to generated YAML nor markup to generated Markdown.
func TestHostileFacts(t *testing.T) {
	tests := []struct {
		name string
		repo policies.Repository
	}{
		{"yaml description", policies.Repository{Owner: "acme", Name: "api", Description: "x\nspec:\n  owner: group:evil\n---\nkind: Group"}},
		{"newline name", policies.Repository{Owner: "acme", Name: "api\nkind: Group", Description: "ok"}},
		{"mention and html", policies.Repository{Owner: "acme", Name: "api", Description: "@acme/everyone <script>alert(1)</script> [x](javascript:y) # h"}},
		{"yaml scalars", policies.Repository{Owner: "acme", Name: "true", Description: "yes: no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := gather(t, memSnap{"package.json": "{}"}, tt.repo, "group:payments")
			plan, err := Bundled.Plan(f, Rules())
			if err != nil {
				t.Fatal(err)
			}
			files := plan.ByPath()
			var catalog map[string]any
			dec := yaml.NewDecoder(strings.NewReader(string(files["catalog-info.yaml"])))
			if err := dec.Decode(&catalog); err != nil {
				t.Fatalf("catalog-info.yaml does not parse: %v\n%s", err, files["catalog-info.yaml"])
			}
			if err := dec.Decode(new(any)); err == nil {
				t.Fatalf("catalog-info.yaml holds a second document:\n%s", files["catalog-info.yaml"])
			}
			spec := catalog["spec"].(map[string]any)
			if spec["owner"] != "group:payments" || catalog["kind"] != "Component" || len(catalog) != 4 {
				t.Fatalf("facts changed the catalog's structure:\n%s", files["catalog-info.yaml"])
			}
			meta := catalog["metadata"].(map[string]any)
			if name, _ := meta["name"].(string); strings.ContainsAny(name, "\n :") {
				t.Fatalf("metadata.name %q is not a valid name", name)
			}
			for p, c := range files {
				if !strings.HasSuffix(p, ".md") {
					continue
				}
				s := string(c)
				for _, bad := range []string{"<script", "@acme/everyone", "[x](javascript", "\nkind: Group", "\nspec:"} {
					if strings.Contains(s, bad) {
						t.Errorf("%s holds %q unescaped:\n%s", p, bad, s)
					}
				}
			}
		})
	}
}

// TestOrgTemplates: an org's template replaces the bundled one, sees quoted
// values in YAML, and is refused for a path no fix writes or when its YAML
// does not parse.
func TestOrgTemplates(t *testing.T) {
	f := gather(t, memSnap{}, policies.Repository{Owner: "acme", Name: "api", Description: "a\nevil: true"}, "@acme/payments")
	tests := []struct {
		name, path, text, wantErr, want string
	}{
		{"markdown", "SECURITY.md", "Mail security@acme.example about {{.Name}}.\n", "", "Mail security@acme.example about api.\n"},
		{"yaml quoted", "mkdocs.yml", "site_name: {{.Name}}\nsite_description: {{.Description}}\n", "", "site_name: \"api\"\nsite_description: \"a\\nevil: true\"\n"},
		{"unknown path", "Makefile", "x", "no fix writes", ""},
		{"no functions", "SECURITY.md", "{{env \"HOME\"}}", "not defined", ""},
		{"yaml must parse", "mkdocs.yml", "a: [\n", "not YAML", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(map[string]string{tt.path: tt.text})
			var content []byte
			if err == nil {
				var plan *Plan
				if plan, err = g.Plan(f, Rules()); err == nil {
					content = plan.ByPath()[tt.path]
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(content) != tt.want {
				t.Fatalf("got %q, want %q", content, tt.want)
			}
		})
	}
}

func TestOwners(t *testing.T) {
	tests := []struct{ in, catalog, codeowner string }{
		{"@acme/Payments-Team", "group:payments-team", "@acme/payments-team"},
		{"@jdoe", "user:jdoe", "@jdoe"},
		{"group:default/payments", "group:payments", "@acme/payments"},
		{"payments", "group:payments", "@acme/payments"},
		{"user:jdoe", "user:jdoe", "@jdoe"},
		{"jdoe@acme.example", "", ""},
		{"group:pay\nments", "", ""},
		{"component:x", "", ""},
	}
	for _, tt := range tests {
		f := gather(t, memSnap{}, policies.Repository{Owner: "acme", Name: "api"}, tt.in)
		if f.Owner != tt.catalog || f.CodeOwner != tt.codeowner {
			t.Errorf("owner %q: got %q, %q; want %q, %q", tt.in, f.Owner, f.CodeOwner, tt.catalog, tt.codeowner)
		}
	}
}

func TestEcosystems(t *testing.T) {
	f := gather(t, memSnap{
		"package.json": "", "web/package.json": "", "node_modules/x/package.json": "", "go.mod": "",
		"infra/main.tf": "", "infra/vars.tf": "", "examples/go.mod": "", "src/App.csproj": "", "Dockerfile": "",
	}, policies.Repository{Owner: "acme", Name: "api"}, "")
	got := map[string]string{}
	for _, e := range f.Ecosystems {
		got[e.Name] = strings.Join(e.Directories, ",")
	}
	want := map[string]string{
		"github-actions": "/", "npm": "/,/web", "gomod": "/", "terraform": "/infra", "nuget": "/src", "docker": "/",
	}
	if len(got) != len(want) {
		t.Fatalf("ecosystems %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: directories %q, want %q", k, got[k], v)
		}
	}
}
