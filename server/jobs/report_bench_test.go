package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobs"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// BenchmarkReport100k reads an organisation of 100,000 repositories × every bundled rule
// back from the store and builds its report, the path of the JSON API and of the
// report issue (target: under 2 s).
//
//	go test ./server/jobs -run '^$' -bench Report100k -benchtime 1x
//
// PostgreSQL is the one GOLDENPATH_TEST_POSTGRES_URL names (skipped when unreachable).
func BenchmarkReport100k(b *testing.B) {
	const repos = 100_000
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		b.Run(db.name, func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, db.url(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(st.Close)
			fillOrganisation(b, st, repos)
			ev := jobs.New(jobs.Deps{Store: st, Settings: jobs.Settings{ConfigRepo: ".github", ConfigPath: "golden-path.yaml"}})
			rules := bundledRules(b)
			for b.Loop() {
				rep, found, err := ev.Reports.Report(ctx, "acme")
				if err != nil || !found || rep.Repositories != repos || len(rep.Rules) != rules {
					b.Fatalf("report: found %v, err %v, %d repositories", found, err, rep.Repositories)
				}
			}
		})
	}
}

// fillOrganisation stores n repositories as sweeps leave them, with a trend's
// worth of earlier sweeps. The evaluations are real ones, of a spread of
// repositories from bare to complete, renamed for each row.
func fillOrganisation(b *testing.B, st *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	evals := sampleEvaluations(b)
	now := time.Now().UTC()
	var listing []policies.Entry // what a sweep keeps of a modest tree, never read here
	for i := range 40 {
		p := fmt.Sprintf("internal/pkg%02d/file.go", i)
		listing = append(listing, policies.Entry{Path: p, SHA: fmt.Sprintf("%040x", i), Size: int64(100 * i)})
	}
	const batch = 5000
	stored := 0
	for from := 0; from < n; from += batch {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				ev := *evals[i%len(evals)]
				ev.Repository = fmt.Sprintf("acme/svc-%06d", i)
				if ev.Owner != "" {
					ev.Owner = "team-" + strconv.Itoa(i%60)
				}
				raw, err := json.Marshal(ev)
				if err != nil {
					return err
				}
				stored += len(raw)
				err = tx.SaveRepoState(ctx, store.RepoState{
					RepoID: int64(1_000_000 + i), InstallationID: 77, Owner: "acme", Name: fmt.Sprintf("svc-%06d", i),
					DefaultBranch: "main", PushedAt: now.Add(-time.Duration(i) * time.Second), TreeSHA: fmt.Sprintf("%040x", i),
					PolicyDigest: "policy", ConfigDigest: "config", Evaluation: &ev, EvaluatedAt: now, Listing: listing,
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	var repos []report.Repo
	for _, ev := range evals {
		repos = append(repos, report.Repo{Name: ev.Repository, Evaluation: ev, EvaluatedAt: now})
	}
	summary := report.Build("acme", repos, config.DefaultOrg(), nil, now).Summary()
	for day := report.TrendPoints; day > 0; day-- {
		rec := store.SweepRecord{Owner: "acme", StartedAt: now.Add(-time.Duration(day) * 24 * time.Hour), Repositories: n, Evaluated: n / 10, Unchanged: n - n/10}
		rec.FinishedAt = rec.StartedAt.Add(20 * time.Minute)
		summary.StartedAt, summary.FinishedAt = rec.StartedAt, rec.FinishedAt
		var err error
		if rec.Summary, err = json.Marshal(summary); err != nil {
			b.Fatal(err)
		}
		if err := st.SaveSweep(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("stored %d repositories in %s, evaluations of %d bytes on average", n, time.Since(start).Round(time.Millisecond), stored/n)
}

// sampleEvaluations evaluates, with the bundled rules, repositories holding every
// combination of a few golden-path files.
func sampleEvaluations(b *testing.B) []*policies.Evaluation {
	b.Helper()
	ctx := context.Background()
	eng, err := policies.New(ctx, policies.Options{Limits: policies.DefaultLimits()})
	if err != nil {
		b.Fatal(err)
	}
	parts := []map[string]string{
		{"README.md": "# Service\n\nWhat it does, how to run it (`make run`) and how to deploy it.\n"},
		{"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  system: shop\n"},
		{".github/CODEOWNERS": "* @acme/team-a\n"},
		{".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n"},
		{"renovate.json": "{}\n", "SECURITY.md": "Report vulnerabilities to security@acme.example.\n", "go.mod": "module svc\n", "go.sum": ""},
		{"docs/runbook.md": "# Runbook\n", "openapi.yaml": "openapi: 3.0.0\ninfo: {title: svc, version: '1'}\npaths: {}\n", "terraform/main.tf": "terraform {}\n"},
	}
	var out []*policies.Evaluation
	for mask := range 1 << len(parts) {
		files := map[string]string{"main.go": "package main\n\nfunc main() {}\n"}
		for i, p := range parts {
			if mask&(1<<i) != 0 {
				maps.Copy(files, p)
			}
		}
		ev, err := eng.Evaluate(ctx, ghporttest.Files(files), policies.Request{
			Repository: policies.Repository{Owner: "acme", Name: "svc", DefaultBranch: "main"}, Today: time.Now().UTC(),
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(ev.Results) != len(eng.Rules()) {
			b.Fatalf("%d rules evaluated, want the %d bundled ones", len(ev.Results), len(eng.Rules()))
		}
		out = append(out, ev)
	}
	return out
}

// bundledRules is the number of bundled rules.
func bundledRules(b *testing.B) int {
	eng, err := policies.New(context.Background(), policies.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return len(eng.Rules())
}
