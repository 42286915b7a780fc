package server

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
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

// syncBuffer collects an app's log lines while its workers write them.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestCheckRunRefusals: GitHub refusing a check-run request (401 Bad credentials,
// 403 Resource not accessible by integration) once is retried, with a fresh token
// after a 401, and the one check run completes; a 403 that persists gives the job
// up with a log line saying so, and no run is left in progress.
func TestCheckRunRefusals(t *testing.T) {
	tests := []struct {
		name   string
		fault  githubfake.Fault
		wantOK bool
	}{
		{"401 on the update once", githubfake.Fault{Method: "PATCH", Path: "/repos/acme/payments/check-runs/*", Kind: githubfake.FaultUnauthorized, Times: 1}, true},
		{"403 on the creation once", githubfake.Fault{Method: "POST", Path: "/repos/acme/payments/check-runs", Kind: githubfake.FaultForbidden, Times: 1}, true},
		{"403 on the creation always", githubfake.Fault{Method: "POST", Path: "/repos/acme/payments/check-runs", Kind: githubfake.FaultForbidden}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newOrg(t, "advisory")
			logs := &syncBuffer{}
			a := startAppLogging(t, testConfig(fake, filepath.Join(t.TempDir(), "gp.db")), testOptions, logs)
			fake.InjectFault(tt.fault)
			tokens := fake.CountRequests(githubfake.RequestFilter{Method: "POST", Path: "/app/installations/*/access_tokens"})
			a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
			head := fake.PullRequest(org, "payments", 1).HeadSHA
			if !tt.wantOK {
				waitFor(t, "the job given up", 20*time.Second, func() bool {
					return strings.Contains(logs.String(), "evaluation given up before its check run was created")
				})
				if !strings.Contains(logs.String(), "Resource not accessible by integration") {
					t.Errorf("the log does not say why the job was given up:\n%s", logs.String())
				}
				if runs := fake.CheckRuns(org, "payments"); len(runs) != 0 {
					t.Fatalf("%d check runs, want none (creation refused)", len(runs))
				}
				return
			}
			waitFor(t, "the check run completed", 20*time.Second, func() bool {
				return len(completedRuns(fake, "payments", head)) == 1
			})
			if run := completedRuns(fake, "payments", head)[0]; !strings.Contains(run.Title, "golden-path rules pass") {
				t.Fatalf("check run %s %q, want an evaluation", run.Conclusion, run.Title)
			}
			if n := len(fake.CheckRuns(org, "payments")); n != 1 {
				t.Fatalf("%d check runs, want one", n)
			}
			if tt.fault.Kind == githubfake.FaultUnauthorized {
				if n := fake.CountRequests(githubfake.RequestFilter{Method: "POST", Path: "/app/installations/*/access_tokens"}); n < tokens+2 {
					t.Errorf("%d token requests, want a fresh token after the 401 (at least %d)", n, tokens+2)
				}
			}
		})
	}
}

// TestRevokedTokenIsReplaced: GitHub refusing the installation's cached token
// (401 Bad credentials before its stated expiry) makes the next attempt mint a
// fresh token, and the pull request's check run completes.
func TestRevokedTokenIsReplaced(t *testing.T) {
	fake := newOrg(t, "advisory")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	first := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the first check run", 20*time.Second, func() bool {
		return len(completedRuns(fake, "payments", first)) == 1
	})
	tokens := fake.CountRequests(githubfake.RequestFilter{Method: "POST", Path: "/app/installations/*/access_tokens"})
	fake.RevokeInstallationTokens(inst)
	fake.Commit(org, "payments", "feature", map[string]string{"README.md": "# payments\n", "main.go": "package main\n", "NOTES.md": "more\n"})
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	a.deliver(t, fake, "pull_request", "d-2", fake.PullRequestEvent("synchronize", org, "payments", 1))
	waitFor(t, "the check run after the 401", 20*time.Second, func() bool {
		return len(completedRuns(fake, "payments", head)) == 1
	})
	if n := fake.CountRequests(githubfake.RequestFilter{Method: "POST", Path: "/app/installations/*/access_tokens"}); n != tokens+1 {
		t.Errorf("%d token requests after the revocation, want one", n-tokens)
	}
}

// TestPushTreeNotFound: a default-branch push whose tree answers 404 once (the
// replica has not seen the commit yet) is retried and evaluated; one that keeps
// answering 404 is dropped after the paced attempts.
func TestPushTreeNotFound(t *testing.T) {
	tests := []struct {
		name        string
		times       int // 0: every request
		wantOutcome string
		wantRetries int
	}{
		{"transient", 1, "completed", 1},
		{"persistent", 0, "cancelled", 3}, // four attempts in all
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newOrg(t, "advisory")
			a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
			fake.InjectFault(githubfake.Fault{Path: "/repos/acme/payments/git/trees/**", Kind: githubfake.FaultNotFound, Times: tt.times})
			a.deliver(t, fake, "push", "push-1", fake.PushEvent(org, "payments", "main"))
			waitFor(t, "the push job "+tt.wantOutcome, 20*time.Second, func() bool {
				return a.jobs(t, "evaluate_branch", tt.wantOutcome) == 1
			})
			if n := a.jobs(t, "evaluate_branch", "retried"); n != tt.wantRetries {
				t.Errorf("%d retries before the 404 was believed or passed, want %d", n, tt.wantRetries)
			}
		})
	}
}
