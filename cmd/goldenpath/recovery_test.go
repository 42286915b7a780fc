package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // reads the River tables of a SQLite file a replica holds

	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// recoverySettings leave River's own rescue at its default (30 minutes): what
// comes back within the tests' waits came back through the file lock or heartbeats.
var recoverySettings = map[string]any{"workers": replicaSlots}

// recoveryBound is the product's promise: acknowledged work that was running
// resumes within 30 s of a restart. Tests wait longer (the machine is shared) and
// log the seconds; BenchmarkRecovery measures them.
const recoveryBound = 30 * time.Second

func skipShort(t testing.TB) {
	if testing.Short() {
		t.Skip("starts and kills server processes; skipped with -short")
	}
}

func sqliteURL(t testing.TB) string { return "sqlite://" + filepath.Join(t.TempDir(), "goldenpath.db") }

// pullsInterrupted kills a replica while it is inside two pull request
// evaluations, each with an in-progress check run, and four more are queued.
// Before the kill, companion (when not nil) starts the replicas that run beside
// it; right after, restart (when not nil) starts the process that replaces it.
// It returns how long after the kill every check run was completed, and checks
// that each head has one check run, completed by one update, and each pull
// request one comment.
func pullsInterrupted(t testing.TB, dbURL string, companion, restart func(fake *githubfake.Fake)) time.Duration {
	fake, heads := newScaleOrg(t)
	headTrees := map[string]bool{}
	for _, h := range heads {
		headTrees[treePath(h)] = true
	}
	gate := newGate(t, fake, holdPaths(headTrees))
	first := startReplica(t, "first", fake, gate.url(), dbURL, recoverySettings)
	for n := 1; n <= scalePulls; n++ {
		if code := deliverPull(t, fake, first, n); code != http.StatusAccepted {
			t.Fatalf("pull request #%d: status %d, want 202", n, code)
		}
	}
	waitFor(t, "two evaluations held inside the first process", 30*time.Second, func() bool { return len(gate.heldPaths()) == replicaSlots })
	for _, p := range gate.heldPaths() {
		head := strings.TrimPrefix(p, treePath(""))
		waitFor(t, "an in-progress check run on "+head, 10*time.Second, func() bool {
			for _, r := range fake.CheckRuns(scaleOrg, "payments") {
				if r.HeadSHA == head && r.Status == "in_progress" {
					return true
				}
			}
			return false
		})
	}
	if companion != nil {
		companion(fake)
	}
	first.kill(t)
	killedAt := time.Now()
	if restart != nil {
		restart(fake)
	}
	waitFor(t, "every check run completed after the kill", 3*recoveryBound, func() bool {
		for _, h := range heads {
			if len(completed(fake, h)) != 1 {
				return false
			}
		}
		return true
	})
	took := time.Since(killedAt)
	for n := 1; n <= scalePulls; n++ {
		waitFor(t, fmt.Sprintf("the sticky comment on #%d", n), 10*time.Second, func() bool { return len(stickyComments(fake, n)) >= 1 })
	}
	for n, head := range heads {
		var runs []githubfake.CheckRun
		for _, r := range fake.CheckRuns(scaleOrg, "payments") {
			if r.HeadSHA == head {
				runs = append(runs, r)
			}
		}
		// The run the killed process created is the one completed, not a second one.
		if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Updates != 1 {
			t.Errorf("#%d: %d check runs, want 1 completed by one update: %+v", n, len(runs), runs)
		}
		if c := stickyComments(fake, n); len(c) != 1 {
			t.Errorf("#%d: %d sticky comments, want 1", n, len(c))
		}
	}
	return took
}

func deliverPull(t testing.TB, fake *githubfake.Fake, r *replica, n int) int {
	body, err := json.Marshal(fake.PullRequestEvent("opened", scaleOrg, "payments", n))
	if err != nil {
		t.Fatal(err)
	}
	return send(githubfake.SignedRequest(r.url+"/api/github/hook", fake.WebhookSecret, "pull_request", fmt.Sprintf("delivery-%d", n), body))
}

// TestKillDuringEvaluationSQLite: kill -9 with evaluations running, restart on
// the same file: the jobs left running are rescued at start-up.
func TestKillDuringEvaluationSQLite(t *testing.T) {
	skipShort(t)
	dbURL := sqliteURL(t)
	took := pullsInterrupted(t, dbURL, nil, restartOn(t, dbURL))
	t.Logf("every check run completed %s after the kill and restart", took.Round(100*time.Millisecond))
}

// TestReplicaKilledPostgres: two replicas, one killed with evaluations running:
// the other rescues them once the dead one's heartbeat is old enough.
func TestReplicaKilledPostgres(t *testing.T) {
	skipShort(t)
	dbURL := storetest.PostgresURL(t)
	took := pullsInterrupted(t, dbURL, restartOn(t, dbURL), nil)
	t.Logf("every check run completed %s after the kill, by the other replica", took.Round(100*time.Millisecond))
}

// restartOn starts a replica on dbURL reaching GitHub directly.
func restartOn(t testing.TB, dbURL string) func(*githubfake.Fake) {
	return func(fake *githubfake.Fake) { startReplica(t, "other", fake, fake.URL(), dbURL, recoverySettings) }
}

// BenchmarkRecovery measures the seconds from a kill -9 (and, on SQLite, the
// restart right after it) to every interrupted and queued check run completed:
//
//	go test ./cmd/goldenpath -run '^$' -bench Recovery -benchtime 1x
func BenchmarkRecovery(b *testing.B) {
	for _, c := range []struct {
		name                string
		url                 func(testing.TB) string
		companion, restarts bool
	}{
		{"sqlite-restart", sqliteURL, false, true},
		{"postgres-two-replicas", storetest.PostgresURL, true, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			for range b.N {
				dbURL := c.url(b)
				var companion, restart func(*githubfake.Fake)
				if c.companion {
					companion = restartOn(b, dbURL)
				}
				if c.restarts {
					restart = restartOn(b, dbURL)
				}
				total += pullsInterrupted(b, dbURL, companion, restart)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/recovery")
		})
	}
}

// TestSecondProcessOnSQLiteFile: a second process on the same file stops at
// once with one line, and the first goes on serving.
func TestSecondProcessOnSQLiteFile(t *testing.T) {
	skipShort(t)
	fake, _ := newScaleOrg(t)
	dbURL := sqliteURL(t)
	first := startReplica(t, "first", fake, fake.URL(), dbURL, recoverySettings)

	cfg := writeServeConfig(t, t.TempDir(), fake, fake.URL(), dbURL, freePort(t), recoverySettings)
	cmd := serveCommand(cfg)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatal("the second process did not stop within 30s")
	}
	msg := strings.TrimSpace(out.String())
	if err == nil || !strings.Contains(msg, "in use by another goldenpath process") || strings.Contains(msg, "\n") {
		t.Errorf("second process: %v, output:\n%s\nwant a failure with one line saying the file is in use", err, msg)
	}
	if code := send(mustRequest(t, http.MethodGet, first.url+"/readyz")); code != http.StatusOK {
		t.Errorf("first process /readyz = %d after the second was refused", code)
	}
}

// sweepOrg is an organisation of n repositories, repo-01 … repo-nn.
func sweepOrg(t testing.TB, n int) *githubfake.Fake {
	fake := githubfake.New(t)
	fake.AddInstallation(scaleInst, scaleOrg)
	fake.AddRepo(scaleOrg, ".github")
	fake.Commit(scaleOrg, ".github", "main", map[string]string{"golden-path.yaml": scaleOrgConfig})
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("repo-%02d", i)
		fake.AddRepo(scaleOrg, name)
		fake.Commit(scaleOrg, name, "main", map[string]string{"README.md": "# " + name + "\n"})
	}
	return fake
}

func treeOf(repo string) string { return "/repos/" + scaleOrg + "/" + repo + "/git/trees/**" }

// TestKillDuringSweepSQLite: kill -9 half-way through the start-up sweep; the
// restarted process finishes it without evaluating again what was evaluated.
func TestKillDuringSweepSQLite(t *testing.T) {
	skipShort(t)
	const repos = 12
	fake := sweepOrg(t, repos)
	held := "/repos/" + scaleOrg + "/repo-07/git/trees/"
	gate := newGate(t, fake, func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, held) })
	dbURL := sqliteURL(t)
	first := startReplica(t, "first", fake, gate.url(), dbURL, recoverySettings)
	waitFor(t, "the sweep to reach repo-07", 60*time.Second, func() bool { return len(gate.heldPaths()) > 0 })
	first.kill(t)
	done := storedRepos(t, dbURL)
	if len(done) == 0 {
		t.Fatal("no repository was evaluated before the kill")
	}

	restartedAt := time.Now()
	startReplica(t, "restarted", fake, fake.URL(), dbURL, recoverySettings)
	waitFor(t, "the report issue, published at the sweep's end", 3*recoveryBound, func() bool { return len(reportIssues(fake)) > 0 })
	t.Logf("the interrupted sweep finished %s after the restart (%d of %d repositories done before the kill)",
		time.Since(restartedAt).Round(100*time.Millisecond), len(done), repos)
	for _, name := range done {
		if n := countSince(fake, githubfake.RequestFilter{Method: "GET", Path: treeOf(name)}, restartedAt); n > 0 {
			t.Errorf("%s was evaluated before the kill and again after it (%d tree requests)", name, n)
		}
	}
	for i := 1; i <= repos; i++ {
		name := fmt.Sprintf("repo-%02d", i)
		if fake.CountRequests(githubfake.RequestFilter{Method: "GET", Path: treeOf(name)}) == 0 {
			t.Errorf("%s was never evaluated", name)
		}
	}
	if n := len(reportIssues(fake)); n != 1 {
		t.Errorf("%d report issues, want 1", n)
	}
}

// TestKillDuringReportPublishingSQLite: GitHub creates the report issue but the
// process dies before it hears so; the restarted process finds that issue and
// never opens a second.
func TestKillDuringReportPublishingSQLite(t *testing.T) {
	skipShort(t)
	fake := sweepOrg(t, 3)
	gate := newGate(t, fake, func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == "/repos/"+scaleOrg+"/.github/issues"
	})
	gate.afterGitHub = true
	dbURL := sqliteURL(t)
	first := startReplica(t, "first", fake, gate.url(), dbURL, recoverySettings)
	waitFor(t, "the report issue to be created", 60*time.Second, func() bool { return len(gate.heldPaths()) > 0 })
	waitFor(t, "GitHub to hold the report issue", 10*time.Second, func() bool { return len(reportIssues(fake)) == 1 })
	first.kill(t)

	restartedAt := time.Now()
	startReplica(t, "restarted", fake, fake.URL(), dbURL, recoverySettings)
	waitFor(t, "every sweep to complete after the restart", 3*recoveryBound, func() bool {
		return jobsIn(t, dbURL, "sweep", "available", "running", "retryable", "scheduled") == 0 &&
			jobsIn(t, dbURL, "sweep", "completed") > 0
	})
	t.Logf("publishing finished %s after the restart", time.Since(restartedAt).Round(100*time.Millisecond))
	if n := len(reportIssues(fake)); n != 1 {
		t.Errorf("%d report issues, want 1", n)
	}
}

// TestFrozenReplicaPostgres: a replica stopped with SIGSTOP inside two
// evaluations is taken for dead; its jobs are rescued and finished once by the
// other replica, and when SIGCONT wakes it, it stops without writing anything.
func TestFrozenReplicaPostgres(t *testing.T) {
	skipShort(t)
	dbURL := storetest.PostgresURL(t)
	fake, heads := newScaleOrg(t)
	headTrees := map[string]bool{}
	for _, h := range heads {
		headTrees[treePath(h)] = true
	}
	gateA := newGate(t, fake, holdPaths(headTrees))
	a := startReplica(t, "a", fake, gateA.url(), dbURL, recoverySettings)
	for n := 1; n <= replicaSlots; n++ {
		if code := deliverPull(t, fake, a, n); code != http.StatusAccepted {
			t.Fatalf("pull request #%d: status %d", n, code)
		}
	}
	waitFor(t, "replica a inside two evaluations", 30*time.Second, func() bool { return len(gateA.heldPaths()) == replicaSlots })
	b := startReplica(t, "b", fake, fake.URL(), dbURL, recoverySettings)
	// Replica a froze with its evaluations held; b works the rest and, 20 s into
	// the silence, a's two.
	if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozenAt := time.Now()
	for n := replicaSlots + 1; n <= scalePulls; n++ {
		if code := deliverPull(t, fake, b, n); code != http.StatusAccepted {
			t.Fatalf("pull request #%d: status %d", n, code)
		}
	}
	waitFor(t, "replica b to finish every evaluation, the frozen replica's too", 3*recoveryBound, func() bool {
		for _, h := range heads {
			if len(completed(fake, h)) != 1 {
				return false
			}
		}
		return true
	})
	t.Logf("the frozen replica's evaluations were finished %s after SIGSTOP", time.Since(frozenAt).Round(100*time.Millisecond))

	// Wake it, and let GitHub answer what it was waiting for.
	if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	gateA.open()
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the woken replica did not stop within 30s")
	}
	if log := a.log(t); !strings.Contains(log, "replica stopped") {
		t.Errorf("the woken replica's log does not say why it stopped:\n%s", tail([]byte(log), 2048))
	}
	for n := 1; n <= scalePulls; n++ {
		waitFor(t, fmt.Sprintf("the sticky comment on #%d", n), 10*time.Second, func() bool { return len(stickyComments(fake, n)) >= 1 })
	}
	time.Sleep(time.Second) // anything the woken replica still wrote would show now
	for n, head := range heads {
		runs := completed(fake, head)
		if len(runs) != 1 || runs[0].Updates != 1 {
			t.Errorf("#%d: %+v, want one check run completed by one update", n, runs)
		}
		if c := stickyComments(fake, n); len(c) != 1 {
			t.Errorf("#%d: %d sticky comments, want 1", n, len(c))
		}
	}
	if n := jobsIn(t, dbURL, "evaluate_pull", "available", "running", "retryable", "scheduled"); n != 0 {
		t.Errorf("%d evaluations still pending after both replicas are done", n)
	}
}

// storedRepos are the repositories whose evaluation a SQLite database holds.
func storedRepos(t testing.TB, dbURL string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", strings.TrimPrefix(dbURL, "sqlite://")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM repositories WHERE evaluated_at > 0 ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func reportIssues(fake *githubfake.Fake) []githubfake.Issue {
	var out []githubfake.Issue
	for _, is := range fake.Issues(scaleOrg, ".github") {
		if strings.Contains(is.Body, reportMarker) {
			out = append(out, is)
		}
	}
	return out
}

func countSince(fake *githubfake.Fake, filter githubfake.RequestFilter, since time.Time) int {
	return countBetween(fake, filter, since, time.Now().Add(time.Hour))
}

// jobsIn counts the jobs of kind in the given states, reading River's table
// directly (a SQLite file is read beside the process that holds it).
func jobsIn(t testing.TB, dbURL, kind string, states ...string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if path, ok := strings.CutPrefix(dbURL, "sqlite://"); ok {
		db, err := sql.Open("sqlite", path+"?mode=ro&_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		q := `SELECT count(*) FROM river_job WHERE kind = ? AND state IN (SELECT value FROM json_each(?))`
		list, _ := json.Marshal(states)
		if err := db.QueryRowContext(ctx, q, kind, string(list)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if err := db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state::text = ANY($2)`, kind, states).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
