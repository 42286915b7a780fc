package server

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/report"
)

// sweptReport is the part of GET /api/v1/orgs/{org}/report the sweep tests read.
type sweptReport struct {
	Repositories int `json:"repositories"`
	NotEvaluated int `json:"not_evaluated"`
	Sweep        *struct {
		FinishedAt   *time.Time `json:"finished_at"`
		Repositories int        `json:"repositories"`
		Evaluated    int        `json:"evaluated"`
		Unchanged    int        `json:"unchanged"`
	} `json:"sweep"`
	Furthest []struct {
		Repository string `json:"repository"`
	} `json:"furthest"`
}

// furthestNames lists the repositories the report ranks furthest from the path,
// sorted; in a small organisation where every repository fails a rule, all of them.
func (r sweptReport) furthestNames() []string {
	var out []string
	for _, s := range r.Furthest {
		out = append(out, s.Repository)
	}
	slices.Sort(out)
	return out
}

// apiGet answers a GET of the JSON API with the test token.
func (a *app) apiGet(t testing.TB, path string) (int, []byte) {
	t.Helper()
	status, body := a.get(t, path, "secret-token")
	return status, []byte(body)
}

func (a *app) orgReport(t testing.TB) sweptReport {
	t.Helper()
	status, body := a.apiGet(t, "/api/v1/orgs/"+org+"/report")
	if status != http.StatusOK {
		t.Fatalf("GET report: %d %s", status, body)
	}
	var r sweptReport
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decode report: %v\n%s", err, body)
	}
	return r
}

// jobs counts the jobs of a kind that ended with an outcome, from /metrics.
func (a *app) jobs(t testing.TB, kind, outcome string) int {
	t.Helper()
	_, body := a.get(t, "/metrics", "")
	series := fmt.Sprintf("goldenpath_jobs_total{kind=%q,outcome=%q} ", kind, outcome)
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, series); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return int(n)
		}
	}
	return 0
}

// waitForJobs waits until n jobs of a kind have completed in all.
func (a *app) waitForJobs(t *testing.T, kind string, n int, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); a.jobs(t, kind, "completed") < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			var outcomes []string
			for _, o := range []string{"completed", "retried", "snoozed", "cancelled"} {
				outcomes = append(outcomes, fmt.Sprintf("%s %d", o, a.jobs(t, kind, o)))
			}
			t.Fatalf("timed out after %s waiting for %d completed %s jobs: %s", timeout, n, kind, strings.Join(outcomes, ", "))
		}
	}
}

// queueView reads the job queue of a test app's SQLite file beside it.
type queueView struct{ db *sql.DB }

func openQueue(t testing.TB, dbPath string) queueView {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return queueView{db}
}

// sweeps counts the finished sweep jobs and those waiting or running.
func (q queueView) sweeps(t testing.TB) (done, busy int) {
	t.Helper()
	err := q.db.QueryRow(`SELECT
		COUNT(CASE WHEN state = 'completed' THEN 1 END),
		COUNT(CASE WHEN state IN ('available', 'pending', 'retryable', 'running', 'scheduled') THEN 1 END)
		FROM river_job WHERE kind = 'sweep'`).Scan(&done, &busy)
	if err != nil {
		t.Fatal(err)
	}
	return done, busy
}

// waitForSweeps waits until n sweeps have completed and no other waits or runs.
// The queue says so, not the workers' metrics: River marks a job completed a
// moment after its worker returns, and a sweep asked for meanwhile joins it.
func (a *app) waitForSweeps(t testing.TB, q queueView, n int, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		done, busy := q.sweeps(t)
		switch {
		case done > n:
			t.Fatalf("%d sweeps ran, want %d", done, n)
		case done == n && busy == 0:
			return
		case time.Now().After(deadline):
			t.Fatalf("timed out after %s waiting for %d sweeps: %d done, %d waiting or running, %d snoozed, %d retried",
				timeout, n, done, busy, a.jobs(t, "sweep", "snoozed"), a.jobs(t, "sweep", "retried"))
		}
	}
}

// requestTally counts GitHub requests by what they were for, overall and per
// repository ("listing", "tree", "blob", "contents", "issues", "token", "other").
type requestTally struct {
	total  map[string]int
	byRepo map[string]map[string]int // repository → kind → count
	blobs  map[string]int            // blob SHA → times fetched
}

func tally(reqs []githubfake.RecordedRequest) requestTally {
	t := requestTally{total: map[string]int{}, byRepo: map[string]map[string]int{}, blobs: map[string]int{}}
	for _, r := range reqs {
		kind, repo := requestKind(r.Path)
		t.total[kind]++
		if repo != "" {
			if t.byRepo[repo] == nil {
				t.byRepo[repo] = map[string]int{}
			}
			t.byRepo[repo][kind]++
		}
		if kind == "blob" {
			t.blobs[r.Path[strings.LastIndex(r.Path, "/")+1:]]++
		}
	}
	return t
}

// requestKind classifies a request path, and names the repository it concerns.
func requestKind(path string) (kind, repo string) {
	switch {
	case path == "/installation/repositories":
		return "listing", ""
	case strings.HasPrefix(path, "/app/installations/") && strings.HasSuffix(path, "/access_tokens"):
		return "token", ""
	}
	rest, ok := strings.CutPrefix(path, "/repos/"+org+"/")
	if !ok {
		return "other", ""
	}
	repo, sub, _ := strings.Cut(rest, "/")
	for _, k := range []struct{ prefix, kind string }{
		{"git/trees/", "tree"}, {"git/blobs/", "blob"}, {"contents/", "contents"}, {"issues", "issues"},
	} {
		if strings.HasPrefix(sub, k.prefix) {
			return k.kind, repo
		}
	}
	return "other", repo
}

// repoFiles gives the service repositories of the large organisation varied
// contents: complete, partial, or next to nothing. Files mention the repository,
// as real ones do, except the CI workflow every repository copied from a template.
func repoFiles(i int, name string) map[string]string {
	readme := fmt.Sprintf("# %s\n\nThe %s service does one thing for the shop and does it well.\nRun it with `make run`.\n", name, name)
	catalog := fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: %s\nspec:\n  type: service\n  lifecycle: production\n  owner: team-%d\n", name, i%7)
	ci := "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n"
	switch i % 5 {
	case 0:
		return map[string]string{"README.md": readme, "catalog-info.yaml": catalog, ".github/CODEOWNERS": fmt.Sprintf("* @acme/team-%d\n", i%7), ".github/workflows/ci.yml": ci}
	case 1:
		return map[string]string{"README.md": readme}
	case 2:
		return map[string]string{"README.md": readme, "catalog-info.yaml": catalog}
	case 3:
		return map[string]string{"main.go": "package main\n\n// " + name + "\nfunc main() {}\n"}
	default:
		return map[string]string{"README.md": readme, "CODEOWNERS": "* @acme/" + name + "\n", ".github/workflows/ci.yml": ci}
	}
}

// largeOrg is an organisation of n service repositories (svc-000, ...) beside
// archived ones, forks, an ignored sandbox and the config repository; it returns
// the eligible repositories with their files.
func largeOrg(t testing.TB, n int) (*githubfake.Fake, map[string]map[string]string) {
	fake := githubfake.New(t)
	fake.AddInstallation(inst, org)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": "ignore_repositories: [\"sandbox-*\"]\n"})
	eligible := map[string]map[string]string{}
	for i := range n {
		name := fmt.Sprintf("svc-%03d", i)
		fake.AddRepo(org, name)
		eligible[name] = repoFiles(i, name)
		fake.Commit(org, name, "main", eligible[name])
	}
	skipped := []struct {
		name string
		opt  githubfake.RepoOption
	}{
		{"old-billing", githubfake.WithArchived()},
		{"old-search", githubfake.WithArchived()},
		{"old-web", githubfake.WithArchived()},
		{"forked-lib", githubfake.WithFork()},
		{"forked-tool", githubfake.WithFork()},
		{"sandbox-play", githubfake.WithDescription("ignored by golden-path.yaml")},
	}
	for i, s := range skipped {
		fake.AddRepo(org, s.name, s.opt)
		fake.Commit(org, s.name, "main", repoFiles(i, s.name))
	}
	return fake, eligible
}

// TestSweepEvaluatesTheOrganisationCheaply is the organisation-wide sweep: every
// eligible repository is evaluated once for one tree and its relevant blobs; a
// sweep with nothing pushed costs the listing and the report issue only; a push
// re-evaluates just the repository pushed to.
func TestSweepEvaluatesTheOrganisationCheaply(t *testing.T) {
	const services = 300
	fake, eligible := largeOrg(t, services)
	listed := services + 7 // the skipped ones and .github are listed too
	pages := (listed + 99) / 100
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)

	a.deliver(t, fake, "installation", "install-1", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, 3*time.Minute)
	first := tally(fake.Requests())

	r := a.orgReport(t)
	if r.Repositories != services || r.NotEvaluated != 0 || r.Sweep == nil || r.Sweep.FinishedAt == nil ||
		r.Sweep.Repositories != services || r.Sweep.Evaluated != services || r.Sweep.Unchanged != 0 {
		t.Fatalf("after the first sweep the report says %+v (sweep %+v), want %d repositories all evaluated", r, r.Sweep, services)
	}
	for repo, kinds := range first.byRepo {
		files, ok := eligible[repo]
		switch {
		case repo == ".github":
			if kinds["tree"]+kinds["blob"] != 0 {
				t.Errorf("the config repository was scored: %v", kinds)
			}
		case !ok:
			t.Errorf("%s is archived, a fork or ignored, yet the sweep asked for it: %v", repo, kinds)
		case kinds["tree"] != 1 || kinds["blob"] > len(files) || len(kinds) > 2:
			t.Errorf("%s (%d files): %v, want 1 tree and at most a blob per file", repo, len(files), kinds)
		}
	}
	for repo := range eligible {
		if first.byRepo[repo]["tree"] != 1 {
			t.Errorf("%s: %d tree requests in the first sweep, want 1", repo, first.byRepo[repo]["tree"])
		}
	}
	for sha, n := range first.blobs {
		if n > 1 {
			t.Errorf("blob %s fetched %d times: blobs are content-addressed", sha, n)
		}
	}
	if first.total["listing"] != pages {
		t.Errorf("%d listing requests for %d repositories, want %d (100 a page)", first.total["listing"], listed, pages)
	}
	reports := slices.DeleteFunc(fake.Issues(org, ".github"), func(is githubfake.Issue) bool { return !strings.Contains(is.Body, controls.Marker) })
	if len(reports) != 1 || reports[0].Title != report.Title || reports[0].Author != fake.BotLogin() || !slices.Contains(reports[0].Labels, report.Label) {
		t.Fatalf("report issues in %s/.github: %+v, want one by the app", org, reports)
	}
	t.Logf("first sweep of %d repositories: %v", listed, first.total)

	// Nothing pushed: the listing says so, and no repository costs a request.
	fake.ResetRequests()
	a.deliver(t, fake, "installation", "install-2", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 2, time.Minute)
	second := tally(fake.Requests())
	t.Logf("unchanged sweep of %d repositories: %v", listed, second.total)
	if r := a.orgReport(t); r.Sweep.Evaluated != 0 || r.Sweep.Unchanged != services {
		t.Errorf("unchanged sweep recorded %+v, want all %d unchanged", r.Sweep, services)
	}
	for repo, kinds := range second.byRepo {
		if repo != ".github" {
			t.Errorf("unchanged sweep asked for %s: %v", repo, kinds)
		}
	}
	if second.total["tree"]+second.total["blob"] != 0 || second.total["listing"] != pages {
		t.Errorf("unchanged sweep: %v, want only %d listing pages besides the config and the report issue", second.total, pages)
	}
	publishing := second.byRepo[".github"]["issues"]
	if besides := len(fake.Requests()) - publishing; float64(besides)/float64(services) > 0.02 {
		t.Errorf("unchanged sweep made %d requests besides the report issue's %d: %.3f per repository, want ≤ 0.02",
			besides, publishing, float64(besides)/float64(services))
	}
	if publishing > 4 {
		t.Errorf("publishing the report took %d issue requests, want find, read and at most one edit", publishing)
	}

	// One push: only that repository is read again, and only what changed in it.
	fake.ResetRequests()
	const pushed = "svc-001" // README only
	changed := map[string]string{
		"README.md":          eligible[pushed]["README.md"],
		"catalog-info.yaml":  strings.ReplaceAll(repoFiles(0, pushed)["catalog-info.yaml"], "team-0", "team-search"),
		".github/CODEOWNERS": "* @acme/team-search\n",
	}
	fake.Commit(org, pushed, "main", changed)
	a.deliver(t, fake, "push", "push-1", fake.PushEvent(org, pushed, "main"))
	a.waitForJobs(t, "evaluate_branch", 1, time.Minute)
	push := tally(fake.Requests())
	t.Logf("push to %s: %v", pushed, push.total)
	for repo, kinds := range push.byRepo {
		if repo != pushed && repo != ".github" {
			t.Errorf("a push to %s asked for %s: %v", pushed, repo, kinds)
		}
	}
	if got := push.byRepo[pushed]; got["tree"] != 1 || got["blob"] > 2 {
		t.Errorf("push to %s: %v, want 1 tree and at most its 2 new blobs", pushed, got)
	}
	status, body := a.apiGet(t, "/api/v1/orgs/"+org+"/repos/"+pushed)
	if status != http.StatusOK || !strings.Contains(string(body), `"owner":"team-search"`) {
		t.Errorf("GET repos/%s after the push: %d %.300s", pushed, status, body)
	}

	// The push was evaluated: the next sweep has nothing to read either.
	fake.ResetRequests()
	a.deliver(t, fake, "installation", "install-3", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 3, time.Minute)
	if third := tally(fake.Requests()); third.total["tree"]+third.total["blob"] != 0 {
		t.Errorf("the sweep after an evaluated push re-read repositories: %v", third.byRepo)
	}
}

// smallOrg is an organisation under the three-rule configuration whose
// repositories hold only a README: each fails a rule, so the report ranks them all
// among the furthest from the path.
func smallOrg(t *testing.T, names ...string) *githubfake.Fake {
	fake := githubfake.New(t)
	fake.AddInstallation(inst, org)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": fmt.Sprintf(orgConfig, "advisory")})
	for _, name := range names {
		fake.AddRepo(org, name)
		fake.Commit(org, name, "main", map[string]string{"README.md": "# " + name + "\n"})
	}
	return fake
}

// reportIssue is the one report issue in the config repository.
func reportIssue(t *testing.T, fake *githubfake.Fake) githubfake.Issue {
	t.Helper()
	var found []githubfake.Issue
	for _, is := range fake.Issues(org, ".github") {
		if strings.Contains(is.Body, controls.Marker) && is.State == "open" {
			found = append(found, is)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d open report issues, want 1", len(found))
	}
	return found[0]
}

// TestRescanCheckboxRunsASweepAndResets: ticking "Re-scan all repositories now"
// runs a sweep and unticks the box; a tick that a publication finds before its
// event arrives is answered too, never overwritten.
func TestRescanCheckboxRunsASweepAndResets(t *testing.T) {
	fake := smallOrg(t, "api", "web")
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)

	tests := []struct {
		name string
		// after is delivered once the box is ticked.
		after func(number int) (event string, payload githubfake.Payload)
		// sweeps is how many sweeps run: the rescan, and any sweep that found the tick.
		sweeps int
	}{
		{"the issues edited event", func(number int) (string, githubfake.Payload) {
			return "issues", fake.IssuesEvent("edited", org, ".github", number)
		}, 1},
		{"another sweep publishing before the event", func(int) (string, githubfake.Payload) {
			return "installation", fake.InstallationEvent("created", inst)
		}, 2},
	}
	done := 1
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := reportIssue(t, fake)
			if !strings.Contains(is.Body, controls.RescanUnchecked) {
				t.Fatalf("the report has no unticked re-scan box:\n%s", is.Body)
			}
			fake.EditIssue(org, ".github", is.Number, strings.Replace(is.Body, controls.RescanUnchecked, controls.RescanChecked, 1))
			event, payload := tt.after(is.Number)
			a.deliver(t, fake, event, fmt.Sprintf("after-tick-%d", i), payload)
			done += tt.sweeps
			a.waitForSweeps(t, q, done, 20*time.Second)
			if is := reportIssue(t, fake); controls.RescanRequested(is.Body) || !strings.Contains(is.Body, controls.RescanUnchecked) {
				t.Fatalf("the box is still ticked after the re-scan:\n%s", is.Body)
			}
		})
	}
}

// TestRepositoryEventsKeepTheReportTrue: renamed, deleted and archived
// repositories are renamed in or leave the JSON report at once, and a later sweep
// agrees without reading any repository again.
func TestRepositoryEventsKeepTheReportTrue(t *testing.T) {
	fake := smallOrg(t, "alpha", "beta", "gamma", "delta")
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install-1", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)
	if got := a.orgReport(t).furthestNames(); !slices.Equal(got, []string{"alpha", "beta", "delta", "gamma"}) {
		t.Fatalf("report after the sweep lists %v", got)
	}

	steps := []struct {
		action string
		// change changes GitHub and returns the event GitHub sends about it.
		change func() githubfake.Payload
		want   []string
	}{
		{"renamed", func() githubfake.Payload {
			fake.RenameRepo(org, "beta", "bravo")
			return fake.RepositoryEvent("renamed", org, "bravo")
		}, []string{"alpha", "bravo", "delta", "gamma"}},
		{"deleted", func() githubfake.Payload {
			p := fake.RepositoryEvent("deleted", org, "gamma")
			fake.DeleteRepo(org, "gamma")
			return p
		}, []string{"alpha", "bravo", "delta"}},
		{"archived", func() githubfake.Payload {
			fake.UpdateRepo(org, "delta", func(r *githubfake.Repo) { r.Archived = true })
			return fake.RepositoryEvent("archived", org, "delta")
		}, []string{"alpha", "bravo"}},
	}
	for i, s := range steps {
		a.deliver(t, fake, "repository", "repository-"+s.action, s.change())
		a.waitForJobs(t, "repository_changed", i+1, time.Minute)
		r := a.orgReport(t)
		if got := r.furthestNames(); !slices.Equal(got, s.want) || r.Repositories != len(s.want) {
			t.Errorf("after %s the report counts %d repositories and lists %v, want %v", s.action, r.Repositories, got, s.want)
		}
	}
	// One repository's evaluation, known from sweeps alone, follows the same events.
	for repo, want := range map[string]int{"alpha": 200, "bravo": 200, "beta": 404, "gamma": 404, "delta": 404} {
		if status, body := a.apiGet(t, "/api/v1/orgs/"+org+"/repos/"+repo); status != want || (want == 200 && !strings.Contains(string(body), `"ref":"refs/heads/main"`)) {
			t.Errorf("GET repos/%s: %d, want %d\n%.300s", repo, status, want, body)
		}
	}

	fake.ResetRequests()
	a.deliver(t, fake, "installation", "install-2", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 2, time.Minute)
	want := steps[len(steps)-1].want
	if r := a.orgReport(t); !slices.Equal(r.furthestNames(), want) || r.Sweep.Repositories != len(want) || r.Sweep.Evaluated != 0 {
		t.Errorf("the sweep after the events reports %v (sweep %+v), want %v unchanged", r.furthestNames(), r.Sweep, want)
	}
	if n := tally(fake.Requests()).total["tree"]; n != 0 {
		t.Errorf("the sweep after the events read %d trees, want 0", n)
	}
}

// TestPushesKeepTheListedFacts: a push's evaluation sees the facts that only the
// repository listing carries (topics here), as the sweep did: a custom rule on
// topics does not flip between sweeps and pushes.
func TestPushesKeepTheListedFacts(t *testing.T) {
	const topicRule = `# METADATA
# title: Services carry the golden topic
# custom:
#   aspect: adoption
#   level: 1
#   severity: error
package goldenpath.custom.topic

deny contains "no golden topic" if not "golden" in input.repository.topics
`
	fake := githubfake.New(t)
	fake.AddInstallation(inst, org)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": "policies:\n  path: policies\n", "policies/topic.rego": topicRule})
	fake.AddRepo(org, "svc", githubfake.WithTopics("golden"))
	fake.Commit(org, "svc", "main", map[string]string{"README.md": "# svc\n"})
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)

	status := func() string {
		_, body := a.apiGet(t, "/api/v1/orgs/"+org+"/repos/svc")
		var view struct {
			Evaluation policies.Evaluation `json:"evaluation"`
		}
		if err := json.Unmarshal(body, &view); err != nil {
			t.Fatalf("repo view: %v\n%s", err, body)
		}
		for _, r := range view.Evaluation.Results {
			if r.Rule == "custom.topic" {
				return string(r.Status)
			}
		}
		return "missing"
	}
	if got := status(); got != "pass" {
		t.Fatalf("after the sweep custom.topic is %s, want pass", got)
	}
	fake.Commit(org, "svc", "main", map[string]string{"README.md": "# svc, changed\n"})
	a.deliver(t, fake, "push", "push-1", fake.PushEvent(org, "svc", "main"))
	a.waitForJobs(t, "evaluate_branch", 1, time.Minute)
	if got := status(); got != "pass" {
		t.Fatalf("after the push custom.topic is %s, want pass", got)
	}
}

// TestPullRequestCheckLinksToTheReport: once the organisation has a report, a pull
// request's check leads there from its Details link.
func TestPullRequestCheckLinksToTheReport(t *testing.T) {
	fake := newOrg(t, "advisory")
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)
	waitFor(t, "the report issue", 20*time.Second, func() bool { return len(fake.Issues(org, ".github")) == 1 })
	report := fake.Issues(org, ".github")[0]

	a.deliver(t, fake, "pull_request", "d-1", fake.PullRequestEvent("opened", org, "payments", 1))
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the check run", 20*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
	want := fmt.Sprintf("%s%s/.github/issues/%d", fake.WebURL(), org, report.Number)
	if got := completedRuns(fake, "payments", head)[0].DetailsURL; got != want {
		t.Fatalf("details URL %q, want %q", got, want)
	}
}
