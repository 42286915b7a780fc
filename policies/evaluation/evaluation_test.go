package evaluation_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/policies/localrepo"
)

func TestParseOverride(t *testing.T) {
	allowing, err := config.ParseOrg("golden-path.yaml", []byte("allow_repository_exemptions: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	exemption := "exemptions:\n  - rules: [iac.present]\n    reason: not ours\n"
	for _, tc := range []struct {
		name        string
		data        string
		found       bool
		org         *config.Org
		wantConfig  bool
		wantProblem string // "" for none; else the problem's Source:Line
	}{
		{"absent", "", false, config.DefaultOrg(), false, ""},
		{"valid", "component_type: library\n", true, config.DefaultOrg(), true, ""},
		{"unknown key", "component_type: library\ncolour: blue\n", true, config.DefaultOrg(), false, ".github/golden-path.yaml:2"},
		{"exemption not allowed", exemption, true, config.DefaultOrg(), false, ".github/golden-path.yaml:1"},
		{"exemption allowed", exemption, true, allowing, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ov := evaluation.ParseOverride([]byte(tc.data), tc.found, tc.org)
			if (ov.Config != nil) != tc.wantConfig {
				t.Errorf("config %v, want one: %v", ov.Config, tc.wantConfig)
			}
			got := ""
			if ov.Problem != nil {
				got = fmt.Sprintf("%s:%d", ov.Problem.Source, ov.Problem.Line)
			}
			if got != tc.wantProblem {
				t.Errorf("problem at %q (%+v), want %q", got, ov.Problem, tc.wantProblem)
			}
		})
	}
}

func TestUnknownRuleID(t *testing.T) {
	ctx := context.Background()
	svc := evaluation.New(policies.Limits{}, nil)
	custom := map[string]string{"payments.rego": customRule}
	for _, tc := range []struct {
		name   string
		custom map[string]string
		data   string
		want   string // the problem's message, "" for none
	}{
		{"bundled ID", nil, "rules:\n  disable: [docs.readme]\n", ""},
		{"misspelt ID", nil, "rules:\n  disable:\n    - docs.readme\n    - docs.readmee\n", `rules.disable[1]: no rule has the ID "docs.readmee"`},
		{"custom ID without its rules", nil, "rules:\n  disable: [custom.payments]\n", `rules.disable[0]: no rule has the ID "custom.payments"`},
		{"custom ID with its rules", custom, "rules:\n  disable: [custom.payments]\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng, err := svc.Engine(ctx, tc.custom)
			if err != nil {
				t.Fatal(err)
			}
			p := evaluation.UnknownRuleID(eng, "golden-path.yaml", []byte(tc.data))
			got := ""
			if p != nil {
				got = p.Message
				if p.Source != "golden-path.yaml" || p.Line == 0 {
					t.Errorf("problem located at %s:%d, want golden-path.yaml and a line", p.Source, p.Line)
				}
			}
			if got != tc.want {
				t.Errorf("problem %q, want %q", got, tc.want)
			}
		})
	}
}

const customRule = `# METADATA
# title: Ledger entries are reconciled
# description: The payments team keeps a reconciliation runbook.
# custom:
#   aspect: operations
#   level: 2
#   severity: warning
#   scope: repository
#   reads: ["docs/reconciliation.md"]
#   remediation: Add docs/reconciliation.md.
package goldenpath.custom.payments

import rego.v1

deny contains "no reconciliation runbook" if {
	not input.files["docs/reconciliation.md"]
}
`

// The bundled engine is compiled once, and each set of custom rules once.
func TestEngineCompiledOnce(t *testing.T) {
	ctx := context.Background()
	svc := evaluation.New(policies.Limits{}, nil)
	engine := func(custom map[string]string) *policies.Engine {
		t.Helper()
		eng, err := svc.Engine(ctx, custom)
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	bundled := engine(nil)
	if engine(map[string]string{}) != bundled {
		t.Error("the bundled rules were compiled again")
	}
	custom := engine(map[string]string{"payments.rego": customRule})
	if custom == bundled || custom.Digest() == bundled.Digest() {
		t.Error("custom rules judged by the bundled engine")
	}
	if engine(map[string]string{"payments.rego": customRule}) != custom {
		t.Error("the same custom rules were compiled again")
	}
	if engine(nil) != bundled {
		t.Error("the bundled engine did not survive custom compilations")
	}
}

// Evaluate applies the org's configuration and the override, and shows the
// problems of both with the results.
func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# svc\n")
	write(evaluation.OverridePath, "component_type: library\n")
	snap, err := localrepo.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	org, err := config.ParseOrg("golden-path.yaml", []byte("rules:\n  disable: [docs.readme]\n"))
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	svc := evaluation.New(policies.Limits{}, func() time.Time { return today })
	orgProblem := policies.Problem{Source: "acme/.github/golden-path.yaml", Line: 3, Message: "broken"}
	rules := &evaluation.Org{Config: org, Custom: map[string]string{"payments.rego": customRule}, Problems: []policies.Problem{orgProblem}}
	for _, tc := range []struct {
		name         string
		override     evaluation.Override
		wantType     string
		wantProblems int
	}{
		{"override applies", evaluation.ParseOverride([]byte("component_type: library\n"), true, org), "library", 1},
		{"override set aside", evaluation.ParseOverride([]byte("colour: blue\n"), true, org), "service", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, eng, err := svc.Evaluate(ctx, snap, policies.Repository{Owner: "acme", Name: "svc"}, rules, tc.override)
			if err != nil {
				t.Fatal(err)
			}
			if ev.ComponentType != tc.wantType {
				t.Errorf("component type %q, want %q", ev.ComponentType, tc.wantType)
			}
			if len(ev.Problems) != tc.wantProblems || ev.Problems[0] != orgProblem {
				t.Errorf("problems %+v, want the org's first and %d in all", ev.Problems, tc.wantProblems)
			}
			statuses := map[string]policies.Status{}
			for _, r := range ev.Results {
				statuses[r.Rule] = r.Status
			}
			if statuses["docs.readme"] != policies.StatusSkip {
				t.Errorf("docs.readme %s, want skip (disabled by the org)", statuses["docs.readme"])
			}
			if _, ok := statuses["custom.payments"]; !ok {
				t.Error("the custom rule was not evaluated")
			}
			if cached, _ := svc.Engine(ctx, rules.Custom); cached != eng {
				t.Error("the engine returned is not the cached one")
			}
		})
	}
}
