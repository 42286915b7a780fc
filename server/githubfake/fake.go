// Package githubfake is an in-process fake of the GitHub REST API (v3) for tests.
//
// It serves the endpoints the app requests, and no others (app and installation
// authentication, installation repositories, branches, git data, contents, pull
// requests, check runs, issues and comments, webhook deliveries), from plain Go
// state guarded by one mutex, and it behaves like GitHub where tests care: JWT
// and installation-token authentication, pagination with Link headers, ETags and
// 304 Not Modified, rate-limit headers and budgets, secondary rate limits and
// injected server errors, validation limits, and git object SHAs computed exactly
// as git computes them.
//
// A test builds the world through methods (AddInstallation, AddRepo, Commit,
// OpenPR, ...), points the code under test at URL() (or uses Config() as the
// go-githubapp configuration), and inspects what happened through CheckRuns,
// Issues, IssueComments, Requests and CountRequests:
//
//	fake := githubfake.New(t)
//	fake.AddInstallation(7, "acme")
//	fake.AddRepo("acme", "api", githubfake.WithTopics("go"))
//	head := fake.Commit("acme", "api", "main", map[string]string{"README.md": "# api\n"})
//	cc, _ := githubapp.NewDefaultCachingClientCreator(fake.Config())
//	// ... run the code under test with cc ...
//	runs := fake.CheckRuns("acme", "api")
//	n := fake.CountRequests(githubfake.RequestFilter{Path: "/repos/acme/api/git/trees/**"})
//
// Webhooks go the other way: the payload builders (PullRequestEvent, PushEvent,
// ...) render GitHub's payloads from the fake's state, and Webhook signs them with
// WebhookSecret like GitHub does.
package githubfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// defaultAppID is the app ID a new Fake uses.
const defaultAppID int64 = 424242

// Fake is a fake GitHub. Its exported fields may be changed before the code under
// test first uses them; all state lives behind the mutex and is reached through methods.
type Fake struct {
	// AppID is the GitHub App's ID (the JWT issuer GitHub expects).
	AppID int64
	// AppSlug names the app; its bot user is AppSlug + "[bot]".
	AppSlug string
	// AppName is the app's display name.
	AppName string
	// AppOwner is the login of the organisation that owns the app.
	AppOwner string
	// WebhookSecret signs the requests built by Webhook and redeliveries.
	WebhookSecret string
	// WebhookURL is the target URL of the requests built by Webhook.
	WebhookURL string

	srv *httptest.Server
	// tb is the test that made the fake with New; setup mistakes fail it.
	tb testing.TB

	mu sync.Mutex
	st state

	// redeliveries sent in the background; Close waits for them.
	background sync.WaitGroup
}

// state is everything the fake knows. Only touched with Fake.mu held.
type state struct {
	nextID         int64
	installations  map[int64]*installation
	repos          map[int64]*repoState
	repoByName     map[string]int64 // lower-case "owner/name"
	movedRepos     map[string]int64 // lower-case former "owner/name" of renamed repositories
	users          map[string]int64 // lower-case login → id
	tokens         map[string]*tokenState
	budgets        map[string]*budget
	faults         []*Fault
	requests       []RecordedRequest
	deliveries     []*Delivery
	treeEntryLimit int
	treeByteLimit  int
	commitClock    int64
	webhookTarget  http.Handler
	requestCounter int64
}

// New starts a fake GitHub that is closed when the test ends.
func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{
		tb:            t,
		AppID:         defaultAppID,
		AppSlug:       "golden-path",
		AppName:       "Golden Path",
		AppOwner:      "goldenpath",
		WebhookSecret: "githubfake-webhook-secret",
		WebhookURL:    "http://app.invalid/api/github/hook",
	}
	f.st = state{
		nextID:         1000,
		installations:  map[int64]*installation{},
		repos:          map[int64]*repoState{},
		repoByName:     map[string]int64{},
		movedRepos:     map[string]int64{},
		users:          map[string]int64{},
		tokens:         map[string]*tokenState{},
		budgets:        map[string]*budget{},
		treeEntryLimit: githubTreeEntryLimit,
		treeByteLimit:  githubTreeByteLimit,
		commitClock:    commitEpoch.Unix(),
	}
	f.srv = httptest.NewServer(f.routes())
	t.Cleanup(f.Close)
	return f
}

// setupError fails the test that made the fake for a mistake in its use of the
// fake (an unknown repository, a duplicate number, ...).
func (f *Fake) setupError(format string, args ...any) {
	f.tb.Helper()
	f.tb.Fatalf("githubfake: "+format, args...)
}

// Close waits for background redeliveries and stops the server.
func (f *Fake) Close() {
	f.background.Wait()
	f.srv.Close()
}

// URL is the base URL of the v3 API, ending in "/" (like https://api.github.com/).
func (f *Fake) URL() string { return f.srv.URL + "/" }

// WebURL is the base URL used for html_url fields, ending in "/".
func (f *Fake) WebURL() string { return "https://github.com/" }

func (f *Fake) newID() int64 {
	f.st.nextID++
	return f.st.nextID
}

func (f *Fake) api(format string, args ...any) string {
	return f.srv.URL + "/" + strings.TrimPrefix(fmt.Sprintf(format, args...), "/")
}

func (f *Fake) web(format string, args ...any) string {
	return f.WebURL() + strings.TrimPrefix(fmt.Sprintf(format, args...), "/")
}

// authKind says which credential a route accepts.
type authKind int

const (
	authInstallation authKind = iota // installation access token
	authApp                          // app JWT
	authAny                          // either (the catch-all 404)
)

type handlerFunc func(c *call) *response

type route struct {
	auth authKind
	// free routes do not count against the primary rate limit (the catch-all 404).
	free bool
	// lenient routes answer even when the credentials are missing or wrong (the
	// catch-all 404: GitHub says Not Found, not Unauthorized, for unknown paths).
	lenient bool
	doc     string
	h       handlerFunc
}

// call is one API request being served.
type call struct {
	f     *Fake
	r     *http.Request
	body  []byte
	rt    *route
	who   identity
	query map[string][]string
}

func (c *call) param(name string) string { return c.r.PathValue(name) }

func (c *call) queryValue(name string) string {
	if v := c.query[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// decode reads the JSON request body into v; a malformed body gives GitHub's 400.
func (c *call) decode(v any) *response {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return problem(http.StatusBadRequest, "Problems parsing JSON", c.rt.doc)
	}
	return nil
}

// response is a buffered API answer, finished by the middleware (ETag, rate headers).
type response struct {
	status int
	header http.Header
	body   []byte
	// hijack closes the connection without answering (a network failure).
	hijack bool
}

func jsonResponse(status int, v any) *response {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("githubfake: encode response: %v", err))
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return &response{status: status, header: h, body: b}
}

func rawResponse(status int, contentType string, body []byte) *response {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	return &response{status: status, header: h, body: body}
}

// problem is GitHub's error body: message, documentation_url and status.
func problem(status int, message, doc string) *response {
	if doc == "" {
		doc = "https://docs.github.com/rest"
	}
	return jsonResponse(status, map[string]any{
		"message":           message,
		"documentation_url": doc,
		"status":            strconv.Itoa(status),
	})
}

func notFound(doc string) *response { return problem(http.StatusNotFound, "Not Found", doc) }

// validationError is GitHub's 422 body with an errors array.
func validationError(doc string, errs ...map[string]any) *response {
	if doc == "" {
		doc = "https://docs.github.com/rest"
	}
	list := make([]any, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return jsonResponse(http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            list,
		"documentation_url": doc,
		"status":            "422",
	})
}

// invalidRequest is the checks API's 422 ("Invalid request.\n\n...").
func invalidRequest(doc, detail string) *response {
	return problem(http.StatusUnprocessableEntity, "Invalid request.\n\n"+detail, doc)
}

// handle registers pattern (Go ServeMux syntax, "METHOD /path") for the route. Paths
// under /repos/{owner}/{repo}/ are also served under /repositories/{repository_id}/,
// where GitHub redirects requests for renamed repositories.
func (f *Fake) handle(mux *http.ServeMux, pattern string, rt route) {
	r := rt
	serve := func(w http.ResponseWriter, req *http.Request) { f.serve(w, req, &r) }
	mux.HandleFunc(pattern, serve)
	method, path, _ := strings.Cut(pattern, " ")
	if rest, ok := strings.CutPrefix(path, "/repos/{owner}/{repo}"); ok {
		mux.HandleFunc(method+" /repositories/{repository_id}"+rest, serve)
	}
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request, rt *route) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	f.mu.Lock()
	resp := f.process(r, body, rt)
	f.mu.Unlock()
	writeResponse(w, resp)
}

func writeResponse(w http.ResponseWriter, resp *response) {
	if resp.hijack {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		resp = problem(http.StatusBadGateway, "Server Error", "")
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.status)
	if resp.status != http.StatusNotModified && resp.status != http.StatusNoContent {
		_, _ = w.Write(resp.body)
	}
}

// process runs the GitHub pipeline: authentication, injected faults, primary rate
// limit, the handler, conditional requests, then the headers every response carries.
func (f *Fake) process(r *http.Request, body []byte, rt *route) *response {
	now := time.Now()
	c := &call{f: f, r: r, body: body, rt: rt, query: r.URL.Query()}
	who, authErr := f.authenticate(r, rt.auth, now)
	if authErr != nil && rt.lenient {
		who, authErr = identity{kind: identityAnonymous}, nil
	}
	c.who = who
	b := f.budgetFor(who, now)

	var resp *response
	counted := false
	switch {
	case authErr != nil:
		resp = authErr
	default:
		if fr := f.takeFault(r); fr != nil {
			resp = fr
			break
		}
		if !rt.free && b.remaining <= 0 {
			resp = f.primaryRateLimited(who, rt.doc)
			break
		}
		resp = rt.h(c)
		if r.Method == http.MethodGet && resp.status == http.StatusOK {
			etag := bodyETag(resp.body)
			resp.header.Set("ETag", etag)
			if etagMatches(r.Header.Get("If-None-Match"), etag) {
				resp = &response{status: http.StatusNotModified, header: resp.header}
				resp.header.Del("Content-Type")
			}
		}
		// Every authenticated request costs one unit, except a 304 (GitHub does not
		// count conditional requests answered from cache) and free endpoints.
		if !rt.free && resp.status != http.StatusNotModified && !resp.hijack {
			b.spend()
			counted = true
		}
	}
	f.finishHeaders(r, resp, b)
	f.record(r, resp, who, counted, now)
	return resp
}

func (f *Fake) finishHeaders(r *http.Request, resp *response, b *budget) {
	if resp.header == nil {
		resp.header = http.Header{}
	}
	h := resp.header
	f.st.requestCounter++
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("FA4E:%04X:%06X:%06X:%08X", f.st.requestCounter%0xffff, f.st.requestCounter, f.st.requestCounter*7, time.Now().Unix()))
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("Server", "github.com")
	h.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, Accept, X-Requested-With")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "deny")
	if r.Method == http.MethodGet && (resp.status == http.StatusOK || resp.status == http.StatusNotModified) {
		h.Set("Cache-Control", "private, max-age=60, s-maxage=60")
	}
	// A secondary rate limit leaves the primary budget as it is (not 0), which is
	// how clients tell the two apart.
	if b != nil {
		b.writeHeaders(h)
	}
}

// routes builds the router. Anything unknown is GitHub's JSON 404.
func (f *Fake) routes() http.Handler {
	mux := http.NewServeMux()
	inst := func(doc string, h handlerFunc) route { return route{auth: authInstallation, doc: doc, h: h} }
	app := func(doc string, h handlerFunc) route { return route{auth: authApp, doc: doc, h: h} }

	// Apps and installations (auth.go).
	f.handle(mux, "GET /app", app(docApp, f.getApp))
	f.handle(mux, "GET /app/installations", app(docApp, f.listAppInstallations))
	f.handle(mux, "POST /app/installations/{installation_id}/access_tokens", app(docApp, f.createInstallationToken))
	f.handle(mux, "GET /installation/repositories", inst(docInstallations, f.listInstallationRepos))

	// Repositories and git data (repos.go).
	f.handle(mux, "GET /repos/{owner}/{repo}/branches/{branch...}", inst(docBranches, f.getBranch))
	f.handle(mux, "GET /repos/{owner}/{repo}/git/trees/{sha}", inst(docTrees, f.getTree))
	f.handle(mux, "GET /repos/{owner}/{repo}/git/blobs/{sha}", inst(docBlobs, f.getBlob))
	f.handle(mux, "GET /repos/{owner}/{repo}/git/commits/{sha}", inst(docGitCommits, f.getGitCommit))
	f.handle(mux, "GET /repos/{owner}/{repo}/contents/{path...}", inst(docContents, f.getContents))
	f.handle(mux, "GET /repos/{owner}/{repo}/pulls", inst(docPulls, f.listPulls))
	f.handle(mux, "GET /repos/{owner}/{repo}/pulls/{pull_number}", inst(docPulls, f.getPull))

	// Pushing a branch and opening pull requests (gitwrite.go, pullwrite.go).
	f.handle(mux, "POST /repos/{owner}/{repo}/git/trees", inst(docTreesCreate, f.createTree))
	f.handle(mux, "POST /repos/{owner}/{repo}/git/commits", inst(docCommitsCreate, f.createGitCommit))
	f.handle(mux, "POST /repos/{owner}/{repo}/git/refs", inst(docRefsCreate, f.createRef))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/git/refs/{ref...}", inst(docRefsUpdate, f.updateRef))
	f.handle(mux, "DELETE /repos/{owner}/{repo}/git/refs/{ref...}", inst(docRefsDelete, f.deleteRef))
	f.handle(mux, "POST /repos/{owner}/{repo}/pulls", inst(docPullsCreate, f.createPull))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/pulls/{pull_number}", inst(docPullsUpdate, f.updatePull))

	// Checks (checks.go).
	f.handle(mux, "POST /repos/{owner}/{repo}/check-runs", inst(docCheckRuns, f.createCheckRun))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", inst(docCheckRunsUpdate, f.updateCheckRun))

	// Issues and comments (issues.go).
	f.handle(mux, "GET /repos/{owner}/{repo}/issues", inst(docIssues, f.listIssues))
	f.handle(mux, "POST /repos/{owner}/{repo}/issues", inst(docIssuesCreate, f.createIssue))
	f.handle(mux, "GET /repos/{owner}/{repo}/issues/{issue_number}", inst(docIssues, f.getIssue))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/issues/{issue_number}", inst(docIssuesUpdate, f.updateIssue))
	f.handle(mux, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", inst(docComments, f.listComments))
	f.handle(mux, "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", inst(docComments, f.createComment))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", inst(docComments, f.updateComment))

	// Webhook deliveries (deliveries.go).
	f.handle(mux, "GET /app/hook/deliveries", app(docDeliveries, f.listDeliveries))
	f.handle(mux, "POST /app/hook/deliveries/{delivery_id}/attempts", app(docDeliveries, f.redeliver))

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, &route{auth: authAny, free: true, lenient: true, h: func(*call) *response { return notFound("https://docs.github.com/rest") }})
	})
	return mux
}

const (
	docApp             = "https://docs.github.com/rest/apps/apps"
	docInstallations   = "https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation"
	docBranches        = "https://docs.github.com/rest/branches/branches#get-a-branch"
	docTrees           = "https://docs.github.com/rest/git/trees#get-a-tree"
	docBlobs           = "https://docs.github.com/rest/git/blobs#get-a-blob"
	docGitCommits      = "https://docs.github.com/rest/git/commits#get-a-commit-object"
	docContents        = "https://docs.github.com/rest/repos/contents#get-repository-content"
	docPulls           = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
	docCheckRuns       = "https://docs.github.com/rest/checks/runs#create-a-check-run"
	docCheckRunsUpdate = "https://docs.github.com/rest/checks/runs#update-a-check-run"
	docIssues          = "https://docs.github.com/rest/issues/issues#list-repository-issues"
	docIssuesCreate    = "https://docs.github.com/rest/issues/issues#create-an-issue"
	docIssuesUpdate    = "https://docs.github.com/rest/issues/issues#update-an-issue"
	docComments        = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
	docDeliveries      = "https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook"
)

// ts formats a time like GitHub (UTC, seconds).
func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func tsOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
