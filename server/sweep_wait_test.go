package server

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/jobs"
	"github.com/goldenpath/goldenpath/server/report"
)

// waitingReport is the part of the JSON report that says a sweep waits.
type waitingReport struct {
	Repositories int `json:"repositories"`
	Sweep        *struct {
		FinishedAt   *time.Time `json:"finished_at"`
		Repositories int        `json:"repositories"`
		Evaluated    int        `json:"evaluated"`
		Waiting      int        `json:"waiting"`
		WaitingUntil *time.Time `json:"waiting_until"`
	} `json:"sweep"`
	Unjudged []report.RepoReason `json:"unjudged"`
	Issue    *jobs.ReportIssue   `json:"issue"`
}

func (a *app) waitingReport(t testing.TB) (waitingReport, bool) {
	t.Helper()
	var r waitingReport
	status, body := a.apiGet(t, "/api/v1/orgs/"+org+"/report")
	if status != http.StatusOK {
		return r, false
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decode report: %v\n%s", err, body)
	}
	return r, true
}

// TestSweepWaitsForTheRateLimitWithoutHoldingTheReport: a sweep that reaches the
// reserve stops sending requests there (publishing may dip into it, pull requests
// too), publishes the report of what is done saying what waits until when, answers
// a re-scan meanwhile, and completes after the reset without
// reading again what it evaluated before the wait.
func TestSweepWaitsForTheRateLimitWithoutHoldingTheReport(t *testing.T) {
	fake, eligible := largeOrg(t, 20)
	start, reset := ghport.RateReserve+25, time.Now().Add(20*time.Second).Truncate(time.Second)
	fake.SetInstallationRateLimit(inst, start, reset)
	db := filepath.Join(t.TempDir(), "gp.db")
	a := startApp(t, fake, db)
	a.deliver(t, fake, "installation", "install-1", fake.InstallationEvent("created", inst))

	var r waitingReport
	waitFor(t, "the report of a waiting sweep", 15*time.Second, func() bool {
		var ok bool
		r, ok = a.waitingReport(t)
		return ok && r.Sweep != nil && r.Sweep.Waiting > 0
	})
	if time.Now().After(reset) {
		t.Fatal("the machine is too slow: the rate limit reset before the waiting report was read")
	}
	if r.Sweep.FinishedAt != nil || r.Sweep.WaitingUntil == nil || !r.Sweep.WaitingUntil.Equal(reset) ||
		r.Repositories+r.Sweep.Waiting != len(eligible) {
		t.Fatalf("waiting report: %d scored, sweep %+v; want the rest waiting until %s", r.Repositories, *r.Sweep, reset)
	}
	until := reset.UTC().Format("15:04 UTC")
	var is githubfake.Issue
	waitFor(t, "the report issue saying what waits", 5*time.Second, func() bool {
		for _, i := range fake.Issues(org, ".github") {
			if strings.Contains(i.Body, controls.Marker) && strings.Contains(i.Body, "waiting for GitHub's rate limit until "+until) {
				is = i
				return true
			}
		}
		return false
	})

	// Asked for while it waits, a re-scan is answered at once (it does not join the
	// waiting continuation).
	fake.EditIssue(org, ".github", is.Number, strings.Replace(is.Body, controls.RescanUnchecked, controls.RescanChecked, 1))
	a.deliver(t, fake, "issues", "tick", fake.IssuesEvent("edited", org, ".github", is.Number))
	waitFor(t, "the re-scan box answered during the wait", 10*time.Second, func() bool {
		return !controls.RescanRequested(reportIssue(t, fake).Body)
	})
	if time.Now().After(reset) {
		t.Fatal("the machine is too slow: the rate limit reset before the re-scan was answered")
	}

	waitFor(t, "the sweep completed after the reset", time.Minute, func() bool {
		r, _ = a.waitingReport(t)
		return r.Sweep != nil && r.Sweep.FinishedAt != nil
	})
	if r.Repositories != len(eligible) || r.Sweep.Repositories != len(eligible) || r.Sweep.Evaluated != len(eligible) ||
		r.Sweep.Waiting != 0 || r.Sweep.WaitingUntil != nil {
		t.Errorf("after the reset: %d scored, sweep %+v; want all %d evaluated in one sweep", r.Repositories, *r.Sweep, len(eligible))
	}

	// Sweep requests stopped at the reserve; only the report's went below it.
	remaining, twice := start, 0
	for _, req := range fake.Requests() {
		if req.InstallationID != inst || !req.Time.Before(reset) || !req.RateLimited {
			continue
		}
		if kind, repo := requestKind(req.Path); kind != "issues" && remaining <= ghport.RateReserve {
			t.Errorf("%s %s (%s of %q) sent with %d left, at or below the reserve of %d", req.Method, req.Path, kind, repo, remaining, ghport.RateReserve)
		}
		remaining--
	}
	for repo := range eligible {
		switch n := tally(fake.Requests()).byRepo[repo]["tree"]; {
		case n == 2:
			twice++ // the one repository cut off at the reserve is read again
		case n != 1:
			t.Errorf("%s: %d tree requests, want 1", repo, n)
		}
	}
	if twice > 1 {
		t.Errorf("%d repositories read twice, want at most the one the wait interrupted", twice)
	}
}

// TestPullRequestsSpendBelowTheReserve: with the budget below the reserve, the
// sweep waits but a pull request is still evaluated.
func TestPullRequestsSpendBelowTheReserve(t *testing.T) {
	fake := newOrg(t, "advisory")
	fake.SetInstallationRateLimit(inst, ghport.RateReserve-20, time.Now().Add(time.Hour))
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	waitFor(t, "the sweep waiting", 10*time.Second, func() bool { return a.jobs(t, "sweep", "snoozed") > 0 })
	if n := tally(fake.Requests()).byRepo["payments"]; len(n) != 0 {
		t.Errorf("the sweep read payments below the reserve: %v", n)
	}
	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the check run below the reserve", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
}

// TestClosedReportIssueIsEditedNotDuplicated: a report issue a person closed is
// edited in place and stays closed (the API says so) — never a second one; once
// deleted, a new one is created.
func TestClosedReportIssueIsEditedNotDuplicated(t *testing.T) {
	fake := smallOrg(t, "api", "web")
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install-1", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)
	first := reportIssue(t, fake)
	fake.SetIssueState(org, ".github", first.Number, "closed")

	fake.AddRepo(org, "docs")
	fake.Commit(org, "docs", "main", map[string]string{"README.md": "# docs\n"})
	a.deliver(t, fake, "installation", "install-2", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 2, time.Minute)
	var reports []githubfake.Issue
	for _, is := range fake.Issues(org, ".github") {
		if strings.Contains(is.Body, controls.Marker) {
			reports = append(reports, is)
		}
	}
	if len(reports) != 1 || reports[0].State != "closed" || !strings.Contains(reports[0].Body, "3 repositories scored") {
		t.Fatalf("report issues after a person closed it: %+v, want the one, closed, edited", reports)
	}
	if r, _ := a.waitingReport(t); r.Issue == nil || r.Issue.State != "closed" || r.Issue.Number != first.Number || r.Issue.Note == "" {
		t.Errorf("the API says the report issue is %+v, want closed #%d with a note", r.Issue, first.Number)
	}

	fake.DeleteIssue(org, ".github", first.Number)
	a.deliver(t, fake, "installation", "install-3", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 3, time.Minute)
	if is := reportIssue(t, fake); is.Number == first.Number {
		t.Fatalf("after the deletion the report is still #%d", is.Number)
	}
	if r, _ := a.waitingReport(t); r.Issue == nil || r.Issue.State != "open" {
		t.Errorf("the API says the new report issue is %+v, want open", r.Issue)
	}
}

// TestSweepListsRepositoriesItCouldNotJudge: an empty repository and one whose
// blobs keep failing are listed with the reason instead of silently left out; a
// transient failure is retried and judged; a sweep retried after a failure late
// in it does not read again what it evaluated.
func TestSweepListsRepositoriesItCouldNotJudge(t *testing.T) {
	fake := smallOrg(t, "api", "web", "flaky", "blipped")
	fake.AddRepo(org, "empty") // no commit: GitHub answers 409 for its tree
	fake.InjectFault(githubfake.Fault{Path: "/repos/acme/flaky/git/blobs/*", Kind: githubfake.FaultInternalError})
	fake.InjectFault(githubfake.Fault{Path: "/repos/acme/blipped/git/trees/**", Kind: githubfake.FaultBadGateway, Times: 1})
	// Publishing fails once: the sweep job is retried, and resumes.
	fake.InjectFault(githubfake.Fault{Method: "POST", Path: "/repos/acme/.github/issues", Kind: githubfake.FaultInternalError, Times: 1})
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, 2*time.Minute)

	r, _ := a.waitingReport(t)
	reasons := map[string]string{}
	for _, u := range r.Unjudged {
		reasons[u.Repository] = u.Reason
	}
	if len(reasons) != 2 || !strings.Contains(reasons["empty"], "empty") || !strings.Contains(reasons["flaky"], "after 3 attempts") {
		t.Fatalf("not judged: %+v, want empty (empty repository) and flaky (after 3 attempts)", r.Unjudged)
	}
	if r.Repositories != 3 || r.Sweep == nil || r.Sweep.Repositories != 5 {
		t.Errorf("report: %d scored, sweep %+v; want api, web and blipped scored of 5", r.Repositories, r.Sweep)
	}
	body := reportIssue(t, fake).Body
	if !strings.Contains(body, "2 repositories could not be judged") || !strings.Contains(body, "### ⚠️ Not judged") {
		t.Errorf("the report issue does not list what was not judged:\n%.800s", body)
	}
	if a.jobs(t, "sweep", "retried") != 1 {
		t.Errorf("%d sweep attempts retried, want 1 (the failed publication)", a.jobs(t, "sweep", "retried"))
	}
	for _, repo := range []string{"api", "web"} {
		if n := tally(fake.Requests()).byRepo[repo]["tree"]; n != 1 {
			t.Errorf("%s: %d tree requests over both attempts, want 1: the retry resumes", repo, n)
		}
	}
}

// TestSweepMetrics: after a sweep, /metrics says which build runs, when the
// organisation's sweep completed, what is pending, and the requests per
// installation and job kind, and per repository evaluation.
func TestSweepMetrics(t *testing.T) {
	fake := smallOrg(t, "api", "web")
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	before := time.Now().Unix()
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)
	_, body := a.get(t, "/metrics", "")
	for _, want := range []string{
		`goldenpath_build_info{commit="unknown",go_version="go`,
		`goldenpath_github_installation_requests_total{installation="77",kind="sweep"}`,
		`goldenpath_github_rate_limit_reset_timestamp_seconds{installation="77"}`,
		`goldenpath_sweep_repository_requests_count 2`,
		`goldenpath_jobs_rate_limited{kind="sweep"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	var completed float64
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, `goldenpath_sweep_last_completed_timestamp_seconds{org="acme"} `); ok {
			completed, _ = strconv.ParseFloat(v, 64)
		}
	}
	if int64(completed) < before {
		t.Errorf("last completed sweep of acme at %v, want after %d", completed, before)
	}
}

// TestSweepStopsQuietlyWhenUninstalled: the app uninstalled in the middle of a
// sweep ends it at the next repository, without an error, a retry or a report.
func TestSweepStopsQuietlyWhenUninstalled(t *testing.T) {
	const services = 60
	fake, _ := largeOrg(t, services)
	db := filepath.Join(t.TempDir(), "gp.db")
	a := startApp(t, fake, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	waitFor(t, "the sweep reading its first repository", 20*time.Second, func() bool {
		return tally(fake.Requests()).total["tree"] > 0
	})
	fake.RemoveInstallation(inst)
	waitFor(t, "the sweep ending", 20*time.Second, func() bool { return a.jobs(t, "sweep", "completed") == 1 })
	if trees := tally(fake.Requests()).total["tree"]; trees >= services {
		t.Errorf("%d trees read: the sweep did not stop", trees)
	}
	for _, outcome := range []string{"retried", "cancelled"} {
		if n := a.jobs(t, "sweep", outcome); n != 0 {
			t.Errorf("%d sweep attempts %s, want the sweep ended quietly", n, outcome)
		}
	}
	if n := len(fake.Issues(org, ".github")); n != 0 {
		t.Errorf("%d issues written for an organisation that uninstalled the app", n)
	}
}
