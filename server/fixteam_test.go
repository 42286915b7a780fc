package server

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/report"
)

// teamOrg has n repositories owned by @acme/web through CODEOWNERS, each missing
// its catalog file (which the fix adds), with fixes enabled and granted.
func teamOrg(tb testing.TB, n int) *githubfake.Fake {
	fake := githubfake.New(tb)
	fake.AddInstallation(inst, org)
	perms := githubfake.DefaultPermissions()
	perms["contents"], perms["pull_requests"] = "write", "write"
	fake.SetInstallationPermissions(inst, perms)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": fmt.Sprintf(orgConfig, "advisory") + "fixes:\n  enabled: true\n"})
	for i := range n {
		name := fmt.Sprintf("svc-%03d", i)
		fake.AddRepo(org, name)
		fake.Commit(org, name, "main", map[string]string{"README.md": "# " + name + "\n", ".github/CODEOWNERS": "* @acme/web\n"})
	}
	return fake
}

// tickFixBox ticks the team's box in the report issue and tells the app.
func tickFixBox(tb testing.TB, a *app, fake *githubfake.Fake) {
	tb.Helper()
	var is githubfake.Issue
	for _, i := range fake.Issues(org, ".github") {
		if strings.Contains(i.Body, controls.Marker) {
			is = i
		}
	}
	box := "- [ ] Open fix pull requests for " + report.FixLabel("@acme/web") + "'s "
	if !strings.Contains(is.Body, box) {
		tb.Fatalf("the report offers no fix box for @acme/web:\n%s", is.Body)
	}
	fake.EditIssue(org, ".github", is.Number, strings.Replace(is.Body, box, "- [x]"+strings.TrimPrefix(box, "- [ ]"), 1))
	if code := a.deliver(tb, fake, "issues", "tick", fake.IssuesEvent("edited", org, ".github", is.Number)); code != http.StatusAccepted {
		tb.Fatalf("issues edited: status %d", code)
	}
}

func openFixPulls(fake *githubfake.Fake, n int) int {
	opened := 0
	for i := range n {
		for _, pr := range fake.PullRequests(org, fmt.Sprintf("svc-%03d", i)) {
			if pr.Title == "Golden Path: add missing golden-path files" {
				opened++
			}
		}
	}
	return opened
}

func TestTeamCheckboxOpensFixPullRequests(t *testing.T) {
	const n = 3
	fake := teamOrg(t, n)
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)
	tickFixBox(t, a, fake)
	waitFor(t, "the team's fix pull requests", 30*time.Second, func() bool { return openFixPulls(fake, n) == n })
	waitFor(t, "the team's progress", 10*time.Second, func() bool {
		_, body := a.get(t, "/api/v1/orgs/acme/report", "secret-token")
		return strings.Contains(body, `"progress":{"total":3,"done":3,"failed":0}`)
	})
	if files := fake.Files(org, "svc-000", "golden-path/fixes"); !strings.Contains(files["catalog-info.yaml"], "owner: group:web") {
		t.Errorf("catalog-info.yaml = %q", files["catalog-info.yaml"])
	}
}

// BenchmarkTeamFixPulls500 measures the time from a ticked team box to 500 fix
// pull requests against the fake, the rate limit honoured (an installation of
// 15,000 requests an hour, as GitHub Enterprise Cloud gives), and the requests
// per pull request:
//
//	go test ./server -run '^$' -bench TeamFixPulls500 -benchtime 1x
func BenchmarkTeamFixPulls500(b *testing.B) {
	const n = 500
	for b.Loop() {
		b.StopTimer()
		fake := teamOrg(b, n)
		fake.SetInstallationRateLimit(inst, 15000, time.Now().Add(time.Hour))
		db := filepath.Join(b.TempDir(), "gp.db")
		a, q := startApp(b, fake, db), openQueue(b, db)
		a.deliver(b, fake, "installation", "install", fake.InstallationEvent("created", inst))
		a.waitForSweeps(b, q, 1, 10*time.Minute)
		fake.ResetRequests()
		b.StartTimer()

		start := time.Now()
		tickFixBox(b, a, fake)
		waitFor(b, "500 fix pull requests", 20*time.Minute, func() bool { return openFixPulls(fake, n) == n })
		elapsed := time.Since(start)
		b.ReportMetric(elapsed.Seconds(), "s-to-500-PRs")
		b.ReportMetric(float64(len(fake.Requests()))/n, "requests/PR")
		b.ReportMetric(float64(fake.CountRequests(githubfake.RequestFilter{Method: "POST"})+fake.CountRequests(githubfake.RequestFilter{Method: "PATCH"}))/n, "writes/PR")
		a.stop()
	}
}
