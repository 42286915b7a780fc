package server

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// BenchmarkPullToCheck measures what a developer waits for: from the delivery of a
// pull request's new head to its completed check run, with the production poll
// interval, one pull request after another, on SQLite (workers poll) and on
// PostgreSQL (workers are notified). Each op is one new head (one changed file);
// p50 and p99 are reported beside the mean.
//
//	go test ./server -run '^$' -bench PullToCheck -benchtime 50x
func BenchmarkPullToCheck(b *testing.B) {
	backends := []struct {
		name string
		url  func(testing.TB) string
	}{
		{store.KindSQLite, func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "gp.db") }},
		{store.KindPostgres, storetest.PostgresURL},
	}
	for _, backend := range backends {
		b.Run(backend.name, func(b *testing.B) { benchmarkPullToCheck(b, backend.url(b)) })
	}
}

func benchmarkPullToCheck(b *testing.B, db string) {
	fake := newOrg(b, "advisory")
	opts := Options{NoStartupSweep: true, NoStartupRedelivery: true}
	a := startAppWith(b, fake, db, opts)
	latencies := make([]time.Duration, 0, b.N)
	for i := range b.N {
		b.StopTimer()
		fake.Commit(org, "payments", "feature", map[string]string{"README.md": fmt.Sprintf("# payments %d\n", i), "main.go": "package main\n"})
		head := fake.PullRequest(org, "payments", 1).HeadSHA
		b.StartTimer()
		start := time.Now()
		a.deliver(b, fake, "pull_request", fmt.Sprintf("bench-%d", i), fake.PullRequestEvent("synchronize", org, "payments", 1))
		waitFor(b, "the check run", 30*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	at := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
