package policies

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
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

// reportCPU adds cpu-ms/op, the process's CPU time per evaluation: on a shared
// machine wall time (ns/op) mostly measures the neighbours.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1_000, 50_000} {
		b.Run(fmt.Sprintf("paths=%d", n), func(b *testing.B) {
			e := newEngine(b, nil)
			snap := syntheticRepo(n)
			req := Request{Repository: Repository{Owner: "acme", Name: "payments"}}
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := e.Evaluate(context.Background(), snap, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// monorepo is n paths holding components catalog components under services/,
// each with a README, an owner and a Dockerfile, listed by a root Location.
func monorepo(n, components int) *memSnapshot {
	files := map[string]string{".github/CODEOWNERS": "* @acme/platform\n", ".github/workflows/ci.yml": "on: push\n"}
	var targets []string
	for i := range components {
		dir := fmt.Sprintf("services/svc%03d", i)
		targets = append(targets, dir+"/catalog-info.yaml")
		files[dir+"/catalog-info.yaml"] = fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc%03d\n  annotations:\n    pagerduty.com/service-id: P%03d\nspec:\n  type: service\n  lifecycle: production\n  owner: team-%d\n  system: shop\n", i, i, i%7)
		files[dir+"/README.md"] = "# Service\n\nHandles one part of the shop.\nRun `make run`.\nOwned by its team.\n"
		files[dir+"/Dockerfile"] = "FROM scratch\n"
	}
	files["catalog-info.yaml"] = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  targets: [" + strings.Join(targets, ", ") + "]\n"
	for i := len(files); i < n; i++ {
		files[fmt.Sprintf("services/svc%03d/pkg%03d/file%04d.go", i%components, i%997, i%3001)] = ""
	}
	return &memSnapshot{files: files}
}

// fixtureMonorepo is monorepo's components with their n paths laid out as in
// babel's tree (the corpus's largest monorepo: 27,674 files in 12,303
// directories, 2.2 a directory, nine in ten at depth 6 or 7 under test
// fixtures, 1,185 distinct base names): a tenth of each component's files in
// src/, the rest two to a fixture directory, test/fixtures/groupNN/caseNN/
// input.js and output.js. monorepo puts every file in a directory of its own,
// which no real tree does.
func fixtureMonorepo(n, components int) *memSnapshot {
	snap := monorepo(0, components)
	for i := len(snap.files); i < n; i++ {
		c, k := i%components, i/components
		dir := fmt.Sprintf("services/svc%03d", c)
		if k%10 == 9 {
			snap.files[fmt.Sprintf("%s/src/mod%04d.ts", dir, k)] = ""
			continue
		}
		f := k - k/10 // the component's fixture files before this one
		snap.files[fmt.Sprintf("%s/test/fixtures/group%02d/case%02d/%s", dir, f/2/20, f/2%20, []string{"input.js", "output.js"}[f%2])] = ""
	}
	return snap
}

// BenchmarkEvaluateMonorepo evaluates a 100-component monorepo of 50,000 paths:
// component rules run once per component on prepared queries.
func BenchmarkEvaluateMonorepo(b *testing.B) { benchmarkMonorepo(b, monorepo(50_000, 100)) }

// BenchmarkEvaluateFixtureMonorepo is BenchmarkEvaluateMonorepo on a tree laid
// out as a real monorepo's.
func BenchmarkEvaluateFixtureMonorepo(b *testing.B) {
	benchmarkMonorepo(b, fixtureMonorepo(50_000, 100))
}

func benchmarkMonorepo(b *testing.B, snap *memSnapshot) {
	e := newEngine(b, nil)
	req := Request{Repository: Repository{Owner: "acme", Name: "shop"}}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		ev, err := e.Evaluate(context.Background(), snap, req)
		if err != nil {
			b.Fatal(err)
		}
		if len(ev.Components) != 100 {
			b.Fatalf("%d components", len(ev.Components))
		}
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
