package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// runMainEnv makes the test binary behave as the goldenpath binary, so the
// scale-out test runs real `serve` processes without building one.
const runMainEnv = "GOLDENPATH_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const (
	scaleOrg      = "acme"
	scaleInst     = int64(77)
	scalePulls    = 6
	replicaSlots  = 2 // goldenpath.workers: pull evaluations one replica runs at once
	sweepInterval = 2 * time.Second
	prMarker      = "<!-- goldenpath:pr -->"
	reportMarker  = "<!-- goldenpath:report -->"
)

// scaleSettings sweep every sweepInterval; job_rescue_after keeps its default
// (30 minutes): a killed replica's jobs must come back through heartbeats.
var scaleSettings = map[string]any{"sweep_interval": sweepInterval.String(), "workers": replicaSlots}

// The three rules kept are the ones a pull request here fails, so each gets a comment.
const scaleOrgConfig = `rules:
  disable: [catalog.valid, catalog.owner, catalog.system, catalog.lifecycle, docs.techdocs,
    iac.present, ci.present, ci.pinned_actions, deps.automation, deps.lockfile, security.policy,
    operations.runbook, operations.oncall, measurement.observability, measurement.slo,
    interfaces.api_spec, adoption.template]
`

var (
	periodicRuns = githubfake.RequestFilter{Method: "GET", Path: "/app/installations"}         // one per sweep_all job
	sweeps       = githubfake.RequestFilter{Method: "GET", Path: "/installation/repositories"} // one per organisation sweep
)

// TestScaleOut runs two `goldenpath serve` processes on one PostgreSQL, spreads
// webhook deliveries over both and kills the leader mid-work with SIGKILL.
func TestScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two server processes and kills one; skipped with -short")
	}
	dbURL := storetest.PostgresURL(t)
	fake, heads := newScaleOrg(t)
	headTrees := map[string]bool{}
	for _, h := range heads {
		headTrees[treePath(h)] = true
	}

	// Each replica reaches GitHub through a gate that can hold the head-tree read
	// of an evaluation: the test then knows which replica is inside which job.
	gateA, gateB := newGate(t, fake, holdPaths(headTrees)), newGate(t, fake, holdPaths(headTrees))
	a := startReplica(t, "a", fake, gateA.url(), dbURL, scaleSettings)
	// Alone, A wins the election: its start-up sweep shows it leads.
	waitFor(t, "the first sweep, run by replica a as leader", 30*time.Second, func() bool { return fake.CountRequests(sweeps) >= 1 })
	b := startReplica(t, "b", fake, gateB.url(), dbURL, scaleSettings)
	windowStart := time.Now()

	// (1) Every pull request is delivered to both replicas under one GUID, at once.
	var wg sync.WaitGroup
	for n := 1; n <= scalePulls; n++ {
		body, err := json.Marshal(fake.PullRequestEvent("opened", scaleOrg, "payments", n))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []*replica{a, b} {
			wg.Go(func() {
				req := githubfake.SignedRequest(r.url+"/api/github/hook", fake.WebhookSecret, "pull_request", fmt.Sprintf("delivery-%d", n), body)
				if code := send(req); code != http.StatusAccepted {
					t.Errorf("pull request #%d to replica %s: status %d, want 202", n, r.name, code)
				}
			})
		}
	}
	wg.Wait()
	// Both replicas fill their pull slots and wait at the gate; the rest stays queued.
	waitFor(t, "both replicas inside evaluations", 20*time.Second, func() bool {
		return len(gateA.heldPaths()) == replicaSlots && len(gateB.heldPaths()) == replicaSlots
	})
	gateB.open()
	onA := map[string]bool{}
	for _, p := range gateA.heldPaths() {
		onA[strings.TrimPrefix(p, treePath(""))] = true
	}
	for n := 1; n <= scalePulls; n++ {
		if !onA[heads[n]] {
			waitFor(t, fmt.Sprintf("replica b to evaluate #%d", n), 20*time.Second, func() bool { return len(completed(fake, heads[n])) == 1 })
		}
	}

	// (2) One periodic sweep per interval across the cluster, not one per replica.
	if wait := time.Until(windowStart.Add(3 * sweepInterval)); wait > 0 {
		time.Sleep(wait)
	}
	window := 3 * sweepInterval
	for _, c := range []struct {
		what   string
		filter githubfake.RequestFilter
	}{{"periodic sweep jobs", periodicRuns}, {"organisation sweeps", sweeps}} {
		n := countBetween(fake, c.filter, windowStart, windowStart.Add(window))
		if n < 2 || n > 4 {
			t.Errorf("%d %s in %s with both replicas up and a %s interval, want 2 to 4", n, c.what, window, sweepInterval)
		}
		t.Logf("%d %s in %s with both replicas up", n, c.what, window)
	}

	// (3) SIGKILL the leader in the middle of two evaluations, once replica b's
	// jobs are through River's books (a completed check run comes before the comment).
	db := connect(t, dbURL)
	waitFor(t, "replica b's jobs to complete", 20*time.Second, func() bool { return runningPulls(t, db) == replicaSlots })
	for head := range onA {
		if runs := fake.CheckRuns(scaleOrg, "payments"); !slices.ContainsFunc(runs, func(r githubfake.CheckRun) bool {
			return r.HeadSHA == head && r.Status == "in_progress"
		}) {
			t.Fatalf("replica a holds %s without an in-progress check run: %+v", head, runs)
		}
	}
	killedAt := time.Now()
	a.kill(t)
	// Replica b rescues them once a's heartbeat is 20 s old.
	waitFor(t, "replica b to finish the killed replica's evaluations", 90*time.Second, func() bool {
		for head := range onA {
			if len(completed(fake, head)) != 1 {
				return false
			}
		}
		return true
	})
	t.Logf("replica b finished the killed replica's evaluations %s after the SIGKILL", time.Since(killedAt).Round(100*time.Millisecond))
	waitFor(t, "a periodic sweep scheduled by replica b, the new leader", 20*time.Second, func() bool {
		return countBetween(fake, periodicRuns, killedAt, time.Now()) > 0
	})

	for n := 1; n <= scalePulls; n++ {
		waitFor(t, fmt.Sprintf("the sticky comment on #%d", n), 10*time.Second, func() bool { return len(stickyComments(fake, n)) >= 1 })
	}
	for n := 1; n <= scalePulls; n++ {
		var runs []githubfake.CheckRun
		for _, r := range fake.CheckRuns(scaleOrg, "payments") {
			if r.HeadSHA == heads[n] {
				runs = append(runs, r)
			}
		}
		// One run, completed by exactly one update: evaluated once, and the run the
		// killed replica created was finished, not duplicated.
		if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Updates != 1 {
			t.Errorf("#%d: %d check runs, want 1 completed by one update: %+v", n, len(runs), runs)
		}
		if c := stickyComments(fake, n); len(c) != 1 {
			t.Errorf("#%d: %d sticky comments, want 1", n, len(c))
		}
	}

	// (4) One report issue, however many sweeps on however many replicas published it.
	var reports []githubfake.Issue
	for _, is := range fake.Issues(scaleOrg, ".github") {
		if strings.Contains(is.Body, reportMarker) {
			reports = append(reports, is)
		}
	}
	if len(reports) != 1 {
		t.Errorf("%d report issues after %d sweeps, want 1: %+v", len(reports), fake.CountRequests(sweeps), reports)
	}
}

// newScaleOrg is an organisation with one repository and scalePulls pull
// requests, each with a head of its own; it returns the heads by number.
func newScaleOrg(t testing.TB) (*githubfake.Fake, map[int]string) {
	t.Helper()
	fake := githubfake.New(t)
	fake.AddInstallation(scaleInst, scaleOrg)
	fake.AddRepo(scaleOrg, ".github")
	fake.Commit(scaleOrg, ".github", "main", map[string]string{"golden-path.yaml": scaleOrgConfig})
	fake.AddRepo(scaleOrg, "payments")
	fake.Commit(scaleOrg, "payments", "main", map[string]string{"README.md": "# payments\n"})
	heads := map[int]string{}
	for n := 1; n <= scalePulls; n++ {
		branch := fmt.Sprintf("feature-%d", n)
		heads[n] = fake.Commit(scaleOrg, "payments", branch, map[string]string{"README.md": fmt.Sprintf("# change %d\n", n)})
		fake.OpenPR(scaleOrg, "payments", n, branch, "main")
	}
	return fake, heads
}

// treePath is the request an evaluation of head makes first for its files.
func treePath(head string) string { return "/repos/acme/payments/git/trees/" + head }

func connect(t testing.TB, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// runningPulls counts the evaluations River holds as running: only its own table
// tells which jobs a killed replica left behind.
func runningPulls(t *testing.T, db *pgx.Conn) int {
	t.Helper()
	var n int
	err := db.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'evaluate_pull' AND state = 'running'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func completed(fake *githubfake.Fake, head string) []githubfake.CheckRun {
	return fake.CompletedCheckRuns(scaleOrg, "payments", head)
}

func stickyComments(fake *githubfake.Fake, number int) []githubfake.IssueComment {
	return fake.IssueCommentsContaining(scaleOrg, "payments", number, prMarker)
}

func countBetween(fake *githubfake.Fake, filter githubfake.RequestFilter, from, to time.Time) int {
	n := 0
	for _, r := range fake.Requests() {
		if filter.Match(r) && !r.Time.Before(from) && r.Time.Before(to) {
			n++
		}
	}
	return n
}

// send returns the response status, 0 when there was none.
func send(req *http.Request) int {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// gate is a replica's road to the fake GitHub: a proxy that holds the requests
// hold selects until it is opened (never, for a replica to be killed). With
// afterGitHub, GitHub sees the request at once and the answer is held instead: the
// replica dies after GitHub acted but before it knew.
type gate struct {
	srv         *httptest.Server
	hold        func(*http.Request) bool
	afterGitHub bool
	opened      chan struct{}
	closed      chan struct{}

	mu   sync.Mutex
	held []string
}

// holdPaths selects the requests for the given paths.
func holdPaths(paths map[string]bool) func(*http.Request) bool {
	return func(r *http.Request) bool { return paths[r.URL.Path] }
}

func newGate(t testing.TB, fake *githubfake.Fake, hold func(*http.Request) bool) *gate {
	target, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{hold: hold, opened: make(chan struct{}), closed: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // a killed replica breaks copies half-way
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.hold(r) {
			proxy.ServeHTTP(w, r)
			return
		}
		g.mu.Lock()
		g.held = append(g.held, r.URL.Path)
		g.mu.Unlock()
		answer := httptest.NewRecorder()
		if g.afterGitHub {
			proxy.ServeHTTP(answer, r)
		}
		select {
		case <-g.opened:
		case <-r.Context().Done(): // the replica died waiting
			return
		case <-g.closed:
			return
		}
		if !g.afterGitHub {
			proxy.ServeHTTP(w, r)
			return
		}
		for k, v := range answer.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(answer.Code)
		_, _ = w.Write(answer.Body.Bytes())
	}))
	t.Cleanup(func() {
		close(g.closed)
		g.srv.Close()
	})
	return g
}

func (g *gate) url() string { return g.srv.URL + "/" }

func (g *gate) open() { close(g.opened) }

func (g *gate) heldPaths() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.held...)
}

// replica is a `goldenpath serve` process.
type replica struct {
	name    string
	url     string
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
}

func startReplica(t testing.TB, name string, fake *githubfake.Fake, apiURL, dbURL string, settings map[string]any) *replica {
	t.Helper()
	port := freePort(t)
	dir := t.TempDir()
	cfgPath := writeServeConfig(t, dir, fake, apiURL, dbURL, port, settings)
	logFile, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := serveCommand(cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{name: name, url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, exited: make(chan struct{}), logPath: logFile.Name()}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(r.exited)
	}()
	t.Cleanup(func() {
		r.kill(t)
		if t.Failed() {
			out, _ := os.ReadFile(logFile.Name())
			t.Logf("replica %s log (last 4 KiB):\n%s", name, tail(out, 4096))
		}
	})
	waitFor(t, "replica "+name+" to serve", 30*time.Second, func() bool {
		select {
		case <-r.exited:
			out, _ := os.ReadFile(logFile.Name())
			t.Fatalf("replica %s exited at start-up:\n%s", name, tail(out, 4096))
		default:
		}
		return send(mustRequest(t, http.MethodGet, r.url+"/readyz")) == http.StatusOK
	})
	return r
}

// writeServeConfig writes a `serve` configuration for the fake GitHub reached at
// apiURL, with settings as its goldenpath section, and returns its path.
func writeServeConfig(t testing.TB, dir string, fake *githubfake.Fake, apiURL, dbURL string, port int, settings map[string]any) string {
	t.Helper()
	gh := fake.Config()
	cfg := map[string]any{
		"server":  map[string]any{"address": "127.0.0.1", "port": port},
		"logging": map[string]any{"level": "info", "format": "json"},
		"github": map[string]any{
			"web_url": gh.WebURL, "v3_api_url": apiURL, "v4_api_url": apiURL + "graphql",
			"app": map[string]any{"integration_id": gh.App.IntegrationID, "webhook_secret": gh.App.WebhookSecret, "private_key": gh.App.PrivateKey},
		},
		"database":   map[string]any{"url": dbURL},
		"goldenpath": settings,
	}
	data, err := json.Marshal(cfg) // JSON is YAML
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serveCommand is `goldenpath serve --config cfgPath`, run by the test binary.
func serveCommand(cfgPath string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "serve", "--config", cfgPath)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	return cmd
}

// log returns what the replica has logged so far.
func (r *replica) log(t testing.TB) string {
	out, err := os.ReadFile(r.logPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// kill sends SIGKILL: no graceful shutdown, jobs left running in the database.
func (r *replica) kill(t testing.TB) {
	select {
	case <-r.exited:
		return
	default:
	}
	if err := r.cmd.Process.Kill(); err != nil {
		t.Errorf("kill replica %s: %v", r.name, err)
	}
	<-r.exited
}

func mustRequest(t testing.TB, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
