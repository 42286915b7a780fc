package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/serverconfig"
)

const (
	org    = "acme"
	inst   = int64(77)
	marker = "<!-- goldenpath:pr -->"
)

// orgConfig keeps three rules, so a test repository can pass them all.
const orgConfig = `enforcement: %s
rules:
  disable: [catalog.valid, catalog.owner, catalog.system, catalog.lifecycle, docs.techdocs,
    iac.present, ci.present, ci.pinned_actions, deps.automation, deps.lockfile, security.policy,
    operations.runbook, operations.oncall, measurement.observability, measurement.slo,
    interfaces.api_spec, adoption.template, releases.changelog, adoption.contributing,
    interfaces.dev_environment, measurement.error_budget, ownership.team, interfaces.tasks,
    interfaces.self_service, measurement.tests]
`

var goodFiles = map[string]string{
	"README.md":          "# Payments\n\nThe payments service takes card payments for the shop.\nIt talks to the card processor and keeps a ledger.\nRun it locally with `make run`; deploy with the pipeline.\n",
	"catalog-info.yaml":  "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\nspec:\n  type: service\n  lifecycle: production\n  owner: team-payments\n",
	".github/CODEOWNERS": "* @acme/payments\n",
}

// app is a running server on a real SQLite file, talking to the fake GitHub.
type app struct {
	url    string
	cancel context.CancelFunc
	done   chan error
}

// testOptions poll and retry fast, and run no sweep or redelivery at start-up:
// tests ask for what they check.
var testOptions = Options{PollInterval: 50 * time.Millisecond, RetryBase: 50 * time.Millisecond, NoStartupSweep: true, NoStartupRedelivery: true}

func startApp(t testing.TB, fake *githubfake.Fake, dbPath string) *app {
	t.Helper()
	return startAppWith(t, fake, dbPath, testOptions)
}

func startAppWith(t testing.TB, fake *githubfake.Fake, dbPath string, opts Options) *app {
	t.Helper()
	return startAppConfig(t, testConfig(fake, dbPath), opts)
}

// testConfig is the server configuration of a test app on the fake GitHub.
func testConfig(fake *githubfake.Fake, dbPath string) *serverconfig.Server {
	cfg := serverconfig.DefaultServer()
	cfg.GitHub = fake.Config()
	cfg.Database.URL = "sqlite://" + dbPath
	if strings.Contains(dbPath, "://") {
		cfg.Database.URL = dbPath // a database URL rather than a SQLite file
	}
	cfg.HTTP.APIToken = "secret-token"
	cfg.GoldenPath.Workers = 4
	return cfg
}

func startAppConfig(t testing.TB, cfg *serverconfig.Server, opts Options) *app {
	t.Helper()
	return startAppLogging(t, cfg, opts, io.Discard)
}

// startAppLogging starts an app whose JSON log lines go to logs.
func startAppLogging(t testing.TB, cfg *serverconfig.Server, opts Options, logs io.Writer) *app {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := zerolog.New(logs)
	ctx = log.WithContext(ctx)
	srv, err := New(ctx, cfg, log, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &app{url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { a.done <- srv.Run(ctx, ln) }()
	t.Cleanup(a.stop)
	return a
}

func (a *app) stop() {
	a.cancel()
	<-a.done
	a.done <- nil // a second stop returns at once
}

func (a *app) deliver(t testing.TB, fake *githubfake.Fake, event, delivery string, payload any) int {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return a.post(t, githubfake.SignedRequest(a.url+"/api/github/hook", fake.WebhookSecret, event, delivery, body))
}

func (a *app) post(t testing.TB, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// get answers a GET of the app, with a bearer token unless it is empty.
func (a *app) get(t testing.TB, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newOrg sets up an installation with a config repository and a service repository
// whose main branch has only a README, and a pull request from "feature".
func newOrg(t testing.TB, enforcement string) *githubfake.Fake {
	fake := githubfake.New(t)
	fake.AddInstallation(inst, org)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": fmt.Sprintf(orgConfig, enforcement)})
	fake.AddRepo(org, "payments")
	fake.Commit(org, "payments", "main", map[string]string{"README.md": "# payments\n"})
	fake.Commit(org, "payments", "feature", map[string]string{"README.md": "# payments\n", "main.go": "package main\n"})
	fake.OpenPR(org, "payments", 1, "feature", "main")
	return fake
}

func completedRuns(fake *githubfake.Fake, repo, sha string) []githubfake.CheckRun {
	return fake.CompletedCheckRuns(org, repo, sha)
}

func stickyComments(fake *githubfake.Fake, number int) []githubfake.IssueComment {
	return fake.IssueCommentsContaining(org, "payments", number, marker)
}

func TestPullRequestCheckRunAndStickyComment(t *testing.T) {
	fake := newOrg(t, "advisory")
	// With an owner to give, the suggested files are generated for this repository.
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": fmt.Sprintf(orgConfig, "advisory") + "fixes:\n  owner: group:payments-team\n"})
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))

	if code := a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1)); code != http.StatusAccepted {
		t.Fatalf("opened: status %d, want 202", code)
	}
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the check run", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
	run := completedRuns(fake, "payments", head)[0]
	if run.Name != "Golden Path" || run.Conclusion != "neutral" || run.Title != "0 of 3 golden-path rules pass" {
		t.Fatalf("check run %q %s %q", run.Name, run.Conclusion, run.Title)
	}
	waitFor(t, "the sticky comment", 5*time.Second, func() bool { return len(stickyComments(fake, 1)) == 1 })
	first := stickyComments(fake, 1)[0]
	if !strings.Contains(first.Body, "catalog.present") || !strings.Contains(first.Body, "apiVersion: backstage.io/v1alpha1") {
		t.Fatalf("comment does not say what fails and how to fix it:\n%s", first.Body)
	}
	// The fix is the generated file for this repository, not the template's example.
	if !strings.Contains(first.Body, "`catalog-info.yaml`\n\n```yaml\n") || !strings.Contains(first.Body, "name: payments\n") ||
		!strings.Contains(first.Body, "github.com/project-slug: acme/payments") || strings.Contains(first.Body, "payments-api") {
		t.Fatalf("the suggested catalog is not filled in for this repository:\n%s", first.Body)
	}

	// The developer fixes the repository: the same comment turns into an all-clear.
	fake.Commit(org, "payments", "feature", goodFiles)
	if code := a.deliver(t, fake, "pull_request", "d-2", fake.PullRequestEvent("synchronize", org, "payments", 1)); code != http.StatusAccepted {
		t.Fatalf("synchronize: status %d", code)
	}
	head = fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the second check run", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
	if run := completedRuns(fake, "payments", head)[0]; run.Conclusion != "success" || run.Title != "3 of 3 golden-path rules pass" {
		t.Fatalf("after the fix: %s %q", run.Conclusion, run.Title)
	}
	waitFor(t, "the comment edited to an all-clear", 5*time.Second, func() bool {
		c := stickyComments(fake, 1)
		return len(c) == 1 && strings.Contains(c[0].Body, "all 3 rules pass")
	})
	if c := stickyComments(fake, 1); c[0].ID != first.ID {
		t.Fatalf("a second comment was created instead of editing %d", first.ID)
	}
	if n := len(fake.IssueComments(org, "payments", 1)); n != 1 {
		t.Fatalf("%d comments on the pull request, want 1", n)
	}
}

func TestBlockingModeFailsTheCheck(t *testing.T) {
	fake := newOrg(t, "blocking")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the check run", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
	if run := completedRuns(fake, "payments", head)[0]; run.Conclusion != "failure" {
		t.Fatalf("conclusion %s, want failure in blocking mode", run.Conclusion)
	}
}

func TestWebhookRejectsAndIgnores(t *testing.T) {
	fake := newOrg(t, "advisory")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	payload, _ := json.Marshal(fake.PullRequestEvent("opened", org, "payments", 1))
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"bad signature", func() *http.Request {
			return githubfake.SignedRequest(a.url+"/api/github/hook", "wrong-secret", "pull_request", "x-1", payload)
		}, http.StatusUnauthorized},
		{"missing signature", func() *http.Request {
			r := githubfake.SignedRequest(a.url+"/api/github/hook", fake.WebhookSecret, "pull_request", "x-2", payload)
			r.Header.Del("X-Hub-Signature-256")
			return r
		}, http.StatusUnauthorized},
		{"malformed body", func() *http.Request {
			return githubfake.SignedRequest(a.url+"/api/github/hook", fake.WebhookSecret, "pull_request", "x-3", []byte(`{"action": "opened", "pull_request": [`))
		}, http.StatusBadRequest},
		{"body of the wrong shape", func() *http.Request {
			return githubfake.SignedRequest(a.url+"/api/github/hook", fake.WebhookSecret, "pull_request", "x-4", []byte(`{"action": "opened", "pull_request": {"number": "one"}}`))
		}, http.StatusBadRequest},
		{"unknown event", func() *http.Request {
			return githubfake.SignedRequest(a.url+"/api/github/hook", fake.WebhookSecret, "star", "x-5", []byte(`{"action": "created"}`))
		}, http.StatusAccepted},
		{"ping", func() *http.Request {
			b, _ := json.Marshal(fake.PingEvent())
			return githubfake.SignedRequest(a.url+"/api/github/hook", fake.WebhookSecret, "ping", "x-6", b)
		}, http.StatusAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.post(t, tt.req()); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // long enough for a wrongly queued job to start
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d GitHub requests after rejected or ignored deliveries, want 0: %+v", n, fake.Requests())
	}
}

func TestDuplicateDeliveryMakesOneCheckRun(t *testing.T) {
	fake := newOrg(t, "advisory")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	payload := fake.PullRequestEvent("opened", org, "payments", 1)
	for range 3 {
		if code := a.deliver(t, fake, "pull_request", "same-delivery", payload); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
	}
	// A burst of different deliveries for the same head coalesces too.
	a.deliver(t, fake, "pull_request", "reopened", fake.PullRequestEvent("reopened", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the check run", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) >= 1 })
	time.Sleep(500 * time.Millisecond)
	if n := len(fake.CheckRuns(org, "payments")); n != 1 {
		t.Fatalf("%d check runs, want 1", n)
	}
}

func TestGitHubFailuresAreRetriedAndWaitedOut(t *testing.T) {
	fake := newOrg(t, "advisory")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	fake.InjectFault(githubfake.Fault{Path: "/repos/acme/payments/git/trees/**", Kind: githubfake.FaultBadGateway, Times: 3})
	fake.InjectFault(githubfake.Fault{Method: "PATCH", Path: "/repos/acme/payments/check-runs/*", Kind: githubfake.FaultSecondaryRateLimit, Times: 1, RetryAfter: time.Second})
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the check run despite 5xx and a secondary rate limit", 20*time.Second, func() bool {
		return len(completedRuns(fake, "payments", head)) == 1
	})
	if n := len(fake.CheckRuns(org, "payments")); n != 1 {
		t.Fatalf("%d check runs after retries, want the same one completed", n)
	}
	// The secondary limit said one second: the completion must not have come sooner.
	var limited, completed time.Time
	for _, r := range fake.Requests() {
		if r.Method == "PATCH" && r.Status == http.StatusForbidden {
			limited = r.Time
		}
		if r.Method == "PATCH" && r.Status == http.StatusOK {
			completed = r.Time
		}
	}
	if completed.Sub(limited) < time.Second {
		t.Fatalf("retried %s after a secondary rate limit asking for 1s", completed.Sub(limited))
	}
}

func TestAcknowledgedDeliveriesSurviveARestart(t *testing.T) {
	fake := newOrg(t, "advisory")
	for n := 2; n <= 5; n++ {
		branch := fmt.Sprintf("feature-%d", n)
		fake.Commit(org, "payments", branch, map[string]string{"README.md": fmt.Sprintf("# change %d\n", n)})
		fake.OpenPR(org, "payments", n, branch, "main")
	}
	db := filepath.Join(t.TempDir(), "gp.db")
	// GitHub is down while the first process takes the deliveries: every job fails.
	fake.InjectFault(githubfake.Fault{Kind: githubfake.FaultConnectionReset})
	first := startApp(t, fake, db)
	for n := 1; n <= 5; n++ {
		if code := first.deliver(t, fake, "pull_request", fmt.Sprintf("d-%d", n), fake.PullRequestEvent("opened", org, "payments", n)); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
	}
	first.stop()
	fake.ClearFaults()
	startApp(t, fake, db)
	for n := 1; n <= 5; n++ {
		head := fake.PullRequest(org, "payments", n).HeadSHA
		waitFor(t, fmt.Sprintf("the check run of #%d after the restart", n), 20*time.Second, func() bool {
			return len(completedRuns(fake, "payments", head)) == 1
		})
	}
}

func TestPullRequestCannotExemptItself(t *testing.T) {
	fake := newOrg(t, "blocking")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": fmt.Sprintf(orgConfig, "blocking") + "allow_repository_exemptions: true\n"})
	fake.Commit(org, "payments", "feature", map[string]string{
		"README.md":                "# payments\n",
		".github/golden-path.yaml": "component_type: docs\nexemptions:\n  - rules: [catalog.present, docs.readme, ownership.codeowners]\n    reason: the PR says so\n",
	})
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("synchronize", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the check run", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
	run := completedRuns(fake, "payments", head)[0]
	if run.Conclusion != "failure" || run.Title != "0 of 3 golden-path rules pass" {
		t.Fatalf("the pull request exempted itself: %s %q\n%s", run.Conclusion, run.Title, run.Summary)
	}
}

func TestEndpoints(t *testing.T) {
	fake := newOrg(t, "advisory")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the job to finish", 10*time.Second, func() bool {
		_, m := a.get(t, "/metrics", "")
		return len(completedRuns(fake, "payments", head)) == 1 && strings.Contains(m, `outcome="completed"`)
	})
	tests := []struct {
		path, token string
		status      int
		contains    string
	}{
		{"/healthz", "", 200, "ok"},
		{"/readyz", "", 200, "ok"},
		{"/metrics", "", 200, `goldenpath_webhook_deliveries_total{event="pull_request",status="202"} 1`},
		{"/metrics", "", 200, `goldenpath_jobs_total{kind="evaluate_pull",outcome="completed"}`},
		{"/metrics", "", 200, `goldenpath_github_requests_total`},
		{"/api/v1/orgs/acme/repos/payments", "", 401, "bearer token"},
		{"/api/v1/orgs/acme/repos/payments", "wrong", 401, "bearer token"},
		{"/api/v1/orgs/acme/repos/payments", "secret-token", 200, `"rule":"catalog.present"`},
		{"/api/v1/orgs/acme/repos/missing", "secret-token", 404, "no evaluation"},
	}
	for _, tt := range tests {
		status, body := a.get(t, tt.path, tt.token)
		if status != tt.status || !strings.Contains(body, tt.contains) {
			t.Errorf("GET %s: %d, want %d containing %q; got:\n%.600s", tt.path, status, tt.status, tt.contains, body)
		}
	}
}

func TestGitHubRequestsPerPullEvaluation(t *testing.T) {
	fake := newOrg(t, "advisory")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	waitFor(t, "the first comment", 10*time.Second, func() bool { return len(stickyComments(fake, 1)) == 1 })
	first := fake.Requests()

	fake.ResetRequests()
	fake.Commit(org, "payments", "feature", goodFiles) // 3 new blobs; README.md changed
	a.deliver(t, fake, "pull_request", "d-2", fake.PullRequestEvent("synchronize", org, "payments", 1))
	waitFor(t, "the comment edit", 10*time.Second, func() bool {
		return fake.CountRequests(githubfake.RequestFilter{Method: "PATCH", Path: "/repos/acme/payments/issues/comments/*"}) == 1
	})
	count := map[string]int{}
	for _, r := range fake.Requests() {
		key := r.Method + " " + r.Path
		for _, prefix := range []string{"/git/trees/", "/git/blobs/", "/check-runs", "/issues/comments", "/contents/"} {
			if i := strings.Index(r.Path, prefix); i >= 0 {
				key = r.Method + " " + prefix
			}
		}
		count[key]++
	}
	want := map[string]int{
		"GET /git/trees/":        1, // the head's tree
		"GET /git/blobs/":        3, // only the blobs not seen before
		"POST /check-runs":       1,
		"PATCH /check-runs":      1,
		"PATCH /issues/comments": 1, // edited in place
	}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Fatalf("requests for one evaluation: %v, want %v (first evaluation made %d)", count, want, len(first))
	}
}
