package policies

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir holds snapshots of real public repositories (shared test data, never
// copied into the project).
const corpusDir = "../../shared/ref/corpus"

// corpusSnapshot is a corpus repository: its git tree, and the files that were copied.
type corpusSnapshot struct {
	dir     string
	entries []Entry
}

func openCorpus(t testing.TB, name string) *corpusSnapshot {
	t.Helper()
	dir := filepath.Join(corpusDir, name)
	raw, err := os.ReadFile(filepath.Join(dir, "tree.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tree struct {
		Tree []struct {
			Path, Type, SHA string
			Size            *int64
		}
	}
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	s := &corpusSnapshot{dir: dir}
	for _, e := range tree.Tree {
		if e.Type != "blob" {
			continue
		}
		size := int64(0)
		if e.Size != nil {
			size = *e.Size
		}
		s.entries = append(s.entries, Entry{Path: e.Path, SHA: e.SHA, Size: size})
	}
	return s
}

func (s *corpusSnapshot) Entries(context.Context) ([]Entry, error) { return s.entries, nil }

func (s *corpusSnapshot) Read(_ context.Context, paths []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(s.dir, "files", filepath.FromSlash(p)))
		if err == nil {
			out[p] = b
		}
	}
	return out, nil
}

// TestCorpus runs every bundled rule on real repositories. The expectations are what a
// person concludes from each tree; the full table of outcomes is logged (go test -v).
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("corpus of real repositories not found at %s (../shared is absent)", corpusDir)
	}
	e := newEngine(t, nil)
	want := map[string]map[string]Status{
		"octocat__Hello-World": {
			"catalog.present": StatusFail, "docs.readme": StatusFail, "ci.present": StatusFail,
			"ownership.codeowners": StatusFail, "deps.automation": StatusFail,
		},
		"backstage__demo": {
			"catalog.present": StatusPass, "catalog.valid": StatusPass, "ownership.codeowners": StatusPass,
			"ci.present": StatusPass, "deps.automation": StatusPass, "docs.readme": StatusPass, "docs.techdocs": StatusPass,
		},
		"Americastestkitchen__crossing-guard":              {"ci.present": StatusPass, "ownership.codeowners": StatusPass, "catalog.present": StatusFail},
		"AaronFriel__pulumi-yaml-multi-file":               {"iac.present": StatusPass, "docs.readme": StatusFail, "ci.present": StatusFail},
		"00010504__smartpos-auth-service":                  {"ci.present": StatusPass, "docs.readme": StatusFail},
		"hashicorp__learn-terraform-provision-eks-cluster": {"iac.present": StatusPass},
		"aws-samples__aws-cdk-examples":                    {"iac.present": StatusPass, "ci.present": StatusPass},
		"argoproj__argo-helm":                              {"iac.present": StatusPass, "ci.present": StatusPass, "measurement.tests": StatusPass, "ownership.team": StatusFail},
		"stefanprodan__podinfo":                            {"iac.present": StatusPass, "ci.present": StatusPass, "docs.readme": StatusPass},
		"0GiS0__tour-of-heroes-api-java":                   {"catalog.present": StatusPass, "deps.automation": StatusPass, "ci.present": StatusPass},
		"ASOS__snyker":                                     {"ownership.codeowners": StatusPass, "ci.present": StatusPass, "ownership.team": StatusFail},
		"Azure-Samples__todo-nodejs-mongo-terraform":       {"iac.present": StatusPass, "interfaces.tasks": StatusPass},
		// The ladder's lower rungs: skaffold run is a written-down task, a Go
		// module with _test.go files has tests, a team in CODEOWNERS owns it.
		"GoogleCloudPlatform__microservices-demo":  {"interfaces.tasks": StatusPass, "measurement.tests": StatusPass, "ownership.team": StatusPass},
		"terraform-aws-modules__terraform-aws-vpc": {"measurement.tests": StatusFail},
		"jenkinsci__git-plugin":                    {"measurement.tests": StatusPass, "ownership.team": StatusPass},
	}
	// The type a careful reader gives the repository (not only the one the
	// engine happened to give): a chart repository's helper image, a template
	// collection's skeletons and a GitOps repository's manifests make no service.
	wantType := map[string]string{
		"argoproj__argo-helm":                      TypeInfrastructure,
		"argoproj__argocd-example-apps":            TypeInfrastructure,
		"fluxcd__flux2-kustomize-helm-example":     TypeInfrastructure,
		"AaronFriel__pulumi-yaml-multi-file":       TypeInfrastructure,
		"aws-samples__aws-cdk-examples":            TypeInfrastructure,
		"backstage__software-templates":            TypeTemplate,
		"3horizons__golden-paths":                  TypeTemplate,
		"octocat__octocat.github.io":               TypeWebsite,
		"palantir__policy-bot":                     TypeService,
		"Azure__peerd":                             TypeService,
		"GoogleCloudPlatform__microservices-demo":  TypeService,
		"ossf__scorecard":                          TypeService,
		"mkdocs__mkdocs":                           TypeLibrary,
		"babel__babel":                             TypeLibrary,
		"terraform-aws-modules__terraform-aws-vpc": TypeInfrastructure,
	}
	dirs, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var table []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		owner, repo, _ := strings.Cut(name, "__")
		ev, err := e.Evaluate(context.Background(), openCorpus(t, name), Request{Repository: Repository{Owner: owner, Name: repo}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want, ok := wantType[name]; ok && ev.ComponentType != want {
			t.Errorf("%s: typed %s, a person would say %s", name, ev.ComponentType, want)
		}
		var cells []string
		for _, r := range ev.Results {
			if r.Status == StatusError {
				t.Errorf("%s: rule %s errored: %s", name, r.Rule, r.Message)
			}
			cells = append(cells, fmt.Sprintf("%s=%s", r.Rule, r.Status))
			if st, ok := want[name][r.Rule]; ok && st != r.Status {
				t.Errorf("%s: %s is %s, a person would say %s (%s)", name, r.Rule, r.Status, st, r.Message)
			}
		}
		table = append(table, fmt.Sprintf("%-50s %s %5.1f%% %s", name, ev.ComponentType, ev.Summary.Score, strings.Join(cells, " ")))
	}
	sort.Strings(table)
	t.Log("\n" + strings.Join(table, "\n"))
}
