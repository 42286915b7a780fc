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

// Without contents and pull requests write, the team's progress (the report's
// line under its checkbox, rendered in server/report) says the app lacks the
// permission, and no repository is tried twice.
func TestTeamCheckboxWithoutPermission(t *testing.T) {
	const n = 2
	fake := teamOrg(t, n)
	fake.SetInstallationPermissions(inst, githubfake.DefaultPermissions())
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)
	tickFixBox(t, a, fake)
	const lacks = `"progress":{"total":2,"done":2,"failed":2,"problem":"the app may not push a branch or open a pull request: an owner must grant it contents: write and pull_requests: write`
	waitFor(t, "the team's progress to tell the missing permission", 30*time.Second, func() bool {
		_, body := a.get(t, "/api/v1/orgs/acme/report", "secret-token")
		return strings.Contains(body, lacks)
	})
	time.Sleep(500 * time.Millisecond) // a retry would show by now
	if got := fake.CountRequests(githubfake.RequestFilter{Status: http.StatusForbidden}); got != n {
		t.Errorf("%d refused requests, want %d: a missing permission is not retried", got, n)
	}
	if opened := openFixPulls(fake, n); opened != 0 {
		t.Errorf("%d fix pull requests opened without the permission", opened)
	}
}

// A team's request queues only the repositories failing a rule that has a fix
// the org allows (fixes.rules), as their stored outcomes tell.
func TestTeamCheckboxQueuesOnlyFixableRepositories(t *testing.T) {
	for _, tc := range []struct {
		name, fixes string
		total       int
	}{
		{name: "fixes.rules allows a rule only one fails", fixes: "  rules: [catalog.present]\n", total: 1},
		{name: "fixes.rules allows none that fails", fixes: "  rules: [ownership.codeowners]\n", total: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := teamOrg(t, 2)
			fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": fmt.Sprintf(orgConfig, "advisory") + "fixes:\n  enabled: true\n" + tc.fixes})
			// svc-001 fails only docs.readme (its README says too little).
			fake.Commit(org, "svc-001", "main", map[string]string{"README.md": "# svc-001\n", ".github/CODEOWNERS": "* @acme/web\n",
				"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-001\nspec:\n  type: service\n  lifecycle: production\n  owner: \"@acme/web\"\n"})
			db := filepath.Join(t.TempDir(), "gp.db")
			a, q := startApp(t, fake, db), openQueue(t, db)
			a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
			a.waitForSweeps(t, q, 1, time.Minute)
			tickFixBox(t, a, fake)
			want := fmt.Sprintf(`"progress":{"total":%d,"done":%d,"failed":0}`, tc.total, tc.total)
			waitFor(t, "the team's progress", 30*time.Second, func() bool {
				_, body := a.get(t, "/api/v1/orgs/acme/report", "secret-token")
				return strings.Contains(body, want)
			})
			waitFor(t, "the fix pull requests", 10*time.Second, func() bool { return openFixPulls(fake, 2) == tc.total })
			if got := len(fake.PullRequests(org, "svc-001")); got != 0 {
				t.Errorf("svc-001 has %d pull requests, want none", got)
			}
		})
	}
}
