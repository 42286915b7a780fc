package server

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/githubfake"
)

// BenchmarkSweep10k sweeps an organisation of 10,000 repositories on the fake
// GitHub, then sweeps it again with nothing pushed. It reports GitHub requests per
// repository of each sweep, their wall times, and the peak RSS of the process,
// in-process fake included (target: under 300 MB), beside the peak before the
// first sweep.
//
//	go test ./server -run '^$' -bench Sweep10k -benchtime 1x
func BenchmarkSweep10k(b *testing.B) {
	const services = 10_000
	for b.Loop() {
		b.StopTimer()
		fake, eligible := largeOrg(b, services)
		// The fake's budget is GitHub's 5,000 an hour; the first sweep needs more and
		// would rightly wait for the next window.
		fake.SetInstallationRateLimit(inst, 1_000_000, time.Now().Add(time.Hour))
		db := filepath.Join(b.TempDir(), "gp.db")
		a, q := startApp(b, fake, db), openQueue(b, db)
		fake.WebhookURL = a.url + "/api/github/hook"
		setup := peakRSSMegabytes(b) // the fake's organisation and the idle app
		b.StartTimer()

		start := time.Now()
		send(b, fake, "installation", fake.InstallationEvent("created", inst))
		a.waitForSweeps(b, q, 1, 30*time.Minute)
		first := time.Since(start)
		firstRequests := len(fake.Requests())
		if r := a.orgReport(b); r.Repositories != len(eligible) {
			b.Fatalf("report counts %d repositories, want %d", r.Repositories, len(eligible))
		}

		fake.ResetRequests()
		start = time.Now()
		send(b, fake, "installation", fake.InstallationEvent("created", inst))
		a.waitForSweeps(b, q, 2, 10*time.Minute)
		second := time.Since(start)
		secondRequests := len(fake.Requests())

		b.ReportMetric(float64(firstRequests)/services, "first-req/repo")
		b.ReportMetric(first.Seconds(), "first-s")
		b.ReportMetric(float64(secondRequests)/services, "unchanged-req/repo")
		b.ReportMetric(second.Seconds(), "unchanged-s")
		b.ReportMetric(setup, "setup-peak-MB")
		b.ReportMetric(peakRSSMegabytes(b), "peak-MB")
		a.stop()
	}
}

// send delivers a webhook with a fresh delivery ID.
func send(tb testing.TB, fake *githubfake.Fake, event string, payload any) {
	resp, err := http.DefaultClient.Do(fake.Webhook(event, payload))
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		tb.Fatalf("%s delivery: status %d", event, resp.StatusCode)
	}
}

// peakRSSMegabytes is the process's peak resident set (VmHWM).
func peakRSSMegabytes(tb testing.TB) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skipf("no peak RSS on this system: %v", err)
	}
	for line := range bytes.Lines(status) {
		if v, ok := strings.CutPrefix(string(line), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				tb.Fatalf("VmHWM: %v", err)
			}
			return float64(kb) / 1024
		}
	}
	tb.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkFirstReport30 installs the app on an organisation of 30 repositories, one
// of them a monorepo past GitHub's tree limits (githubfake.MonorepoShape: 250,000
// files in 13,000 directories), under GitHub's budget of 5,000 requests an hour, and
// measures the time from installation.created to the first report issue (target:
// under 60 s), with the GitHub requests made by then, the monorepo's among them.
//
//	go test ./server -run '^$' -bench FirstReport30 -benchtime 1x
func BenchmarkFirstReport30(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		fake, _ := largeOrg(b, 29)
		fake.AddRepo(org, "monorepo")
		fake.Commit(org, "monorepo", "main", githubfake.GenerateFiles(githubfake.MonorepoShape))
		db := filepath.Join(b.TempDir(), "gp.db")
		a := startApp(b, fake, db)
		fake.WebhookURL = a.url + "/api/github/hook"
		b.StartTimer()

		start := time.Now()
		send(b, fake, "installation", fake.InstallationEvent("created", inst))
		waitFor(b, "the first report issue", 5*time.Minute, func() bool {
			for _, is := range fake.Issues(org, ".github") {
				if strings.Contains(is.Body, controls.Marker) {
					return true
				}
			}
			return false
		})
		first := time.Since(start)
		requests := tally(fake.Requests())
		b.ReportMetric(first.Seconds(), "s-to-first-report")
		b.ReportMetric(float64(len(fake.Requests())), "requests")
		b.ReportMetric(float64(requests.byRepo["monorepo"]["tree"]), "monorepo-tree-req")
		b.ReportMetric(float64(requests.byRepo["monorepo"]["blob"]), "monorepo-blob-req")
		a.stop()
	}
}
