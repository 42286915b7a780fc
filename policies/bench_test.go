package policies

import (
	"context"
	"fmt"
	"testing"
)

// syntheticRepo is a service repository with n paths: the golden-path files rules
// look at, and source code spread over directories. As in real trees, base names
// repeat (a few thousand distinct ones: main.go, index.ts, handler_test.go ...).
func syntheticRepo(n int) *memSnapshot {
	files := map[string]string{
		"README.md":                "# Payments\n\nHandles card payments.\nRun `make run`.\nOwned by team payments.\n",
		"catalog-info.yaml":        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  annotations:\n    pagerduty.com/service-id: P123\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-payments\n  system: checkout\n",
		".github/CODEOWNERS":       "* @acme/payments\n",
		".github/workflows/ci.yml": "on: push\n",
		".github/dependabot.yml":   "version: 2\n",
		"SECURITY.md":              "Report to security@example.com\n",
		"mkdocs.yml":               "site_name: payments\n",
		"docs/index.md":            "# Docs\n",
		"infra/main.tf":            "resource \"null_resource\" \"x\" {}\n",
		"docs/runbook.md":          "# Runbook\n",
		"slo.yaml":                 "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: availability}\n",
	}
	for i := len(files); i < n; i++ {
		files[fmt.Sprintf("src/module%03d/pkg%03d/file%04d.go", i%500, i%997, i%3001)] = ""
	}
	return &memSnapshot{files: files}
}

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1_000, 50_000} {
		b.Run(fmt.Sprintf("paths=%d", n), func(b *testing.B) {
			e := newEngine(b, nil)
			snap := syntheticRepo(n)
			req := Request{Repository: Repository{Owner: "acme", Name: "payments"}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Evaluate(context.Background(), snap, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkColdCompileEvaluate compiles every rule and evaluates once, the cost a
// prepared-query engine avoids on every evaluation after the first.
func BenchmarkColdCompileEvaluate(b *testing.B) {
	snap := syntheticRepo(1_000)
	req := Request{Repository: Repository{Owner: "acme", Name: "payments"}}
	b.ReportAllocs()
	for b.Loop() {
		e, err := New(context.Background(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Evaluate(context.Background(), snap, req); err != nil {
			b.Fatal(err)
		}
	}
}
