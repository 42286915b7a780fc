package server

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

// TestPullTreeNotFound: a tree answering 404 once (a commit pushed a moment ago)
// is retried and evaluated; one that keeps answering 404 is given up with its
// check run completed, neutral and saying why, never left in progress.
func TestPullTreeNotFound(t *testing.T) {
	tests := []struct {
		name      string
		times     int // 0: every request
		wantTitle string
	}{
		{"transient", 1, "golden-path rules pass"},
		{"persistent", 0, "could not be evaluated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newOrg(t, "advisory")
			a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
			fake.InjectFault(githubfake.Fault{Path: "/repos/acme/payments/git/trees/**", Kind: githubfake.FaultNotFound, Times: tt.times})
			a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
			head := fake.PullRequest(org, "payments", 1).HeadSHA
			waitFor(t, "the check run completed", 20*time.Second, func() bool {
				return len(completedRuns(fake, "payments", head)) == 1
			})
			run := completedRuns(fake, "payments", head)[0]
			if !strings.Contains(run.Title, tt.wantTitle) {
				t.Fatalf("check run %s %q, want a title containing %q", run.Conclusion, run.Title, tt.wantTitle)
			}
			if tt.times == 0 && run.Conclusion != "neutral" {
				t.Fatalf("given-up check run concluded %s, want neutral", run.Conclusion)
			}
			if n := len(fake.CheckRuns(org, "payments")); n != 1 {
				t.Fatalf("%d check runs, want one", n)
			}
		})
	}
}

// TestSuspendedInstallationWaits: a pull request acknowledged while its installation
// is suspended (token requests answered 403) is evaluated once it is restored.
func TestSuspendedInstallationWaits(t *testing.T) {
	fake := newOrg(t, "advisory")
	fake.SuspendInstallation(inst)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "a token request refused", 10*time.Second, func() bool {
		_, m := a.get(t, "/metrics", "")
		return strings.Contains(m, `goldenpath_jobs_total{kind="evaluate_pull",outcome="snoozed"}`)
	})
	fake.UnsuspendInstallation(inst)
	waitFor(t, "the check run once restored", 45*time.Second, func() bool {
		return len(completedRuns(fake, "payments", head)) == 1
	})
	if run := completedRuns(fake, "payments", head)[0]; !strings.Contains(run.Title, "golden-path rules pass") {
		t.Fatalf("check run %s %q, want an evaluation", run.Conclusion, run.Title)
	}
}
