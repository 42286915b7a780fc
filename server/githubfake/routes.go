package githubfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// routes builds the router: every endpoint the app requests, and GitHub's JSON
// 404 for anything else. Each route says what the preamble (resolve) must find
// before its handler runs, so handlers do only their own part.
func (f *Fake) routes() http.Handler {
	mux := http.NewServeMux()

	// Apps and installations (auth.go).
	f.handle(mux, "GET /app", app(docApp, f.getApp))
	f.handle(mux, "GET /app/installations", app(docApp, f.listAppInstallations))
	f.handle(mux, "POST /app/installations/{installation_id}/access_tokens", app(docApp, f.createInstallationToken))
	f.handle(mux, "GET /installation/repositories", inst(docInstallations, f.listInstallationRepos, 0))

	// Repositories and git data (repos.go, gitobjects.go).
	f.handle(mux, "GET /repos/{owner}/{repo}/branches/{branch...}", inst(docBranches, f.getBranch, 0))
	f.handle(mux, "GET /repos/{owner}/{repo}/git/trees/{sha}", inst(docTrees, f.getTree, needCommits))
	f.handle(mux, "GET /repos/{owner}/{repo}/git/blobs/{sha}", inst(docBlobs, f.getBlob, needCommits))
	f.handle(mux, "GET /repos/{owner}/{repo}/git/commits/{sha}", inst(docGitCommits, f.getGitCommit, needCommits))
	f.handle(mux, "GET /repos/{owner}/{repo}/contents/{path...}", inst(docContents, f.getContents, 0))
	f.handle(mux, "GET /repos/{owner}/{repo}/pulls", inst(docPulls, f.listPulls, 0))
	f.handle(mux, "GET /repos/{owner}/{repo}/pulls/{pull_number}", inst(docPulls, f.getPull, 0))

	// Pushing a branch and opening pull requests (gitwrite.go, pullwrite.go).
	f.handle(mux, "POST /repos/{owner}/{repo}/git/trees", inst(docTreesCreate, withBody(f.createTree), needContentsWrite|needCommits))
	f.handle(mux, "POST /repos/{owner}/{repo}/git/commits", inst(docCommitsCreate, withBody(f.createGitCommit), needContentsWrite|needCommits))
	f.handle(mux, "POST /repos/{owner}/{repo}/git/refs", inst(docRefsCreate, withBody(f.createRef), needContentsWrite|needCommits))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/git/refs/{ref...}", inst(docRefsUpdate, withBody(f.updateRef), needContentsWrite|needCommits))
	f.handle(mux, "DELETE /repos/{owner}/{repo}/git/refs/{ref...}", inst(docRefsDelete, f.deleteRef, needContentsWrite|needCommits))
	f.handle(mux, "POST /repos/{owner}/{repo}/pulls", inst(docPullsCreate, withBody(f.createPull), needPullsWrite))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/pulls/{pull_number}", inst(docPullsUpdate, withBody(f.updatePull), needPullsWrite))

	// Checks (checks.go).
	f.handle(mux, "POST /repos/{owner}/{repo}/check-runs", inst(docCheckRuns, withBody(f.createCheckRun), needWritable))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", inst(docCheckRunsUpdate, withBody(f.updateCheckRun), needWritable))

	// Issues and comments (issues.go).
	f.handle(mux, "GET /repos/{owner}/{repo}/issues", inst(docIssues, f.listIssues, needIssues))
	f.handle(mux, "POST /repos/{owner}/{repo}/issues", inst(docIssuesCreate, withBody(f.createIssue), needIssues|needWritable))
	f.handle(mux, "GET /repos/{owner}/{repo}/issues/{issue_number}", inst(docIssues, f.getIssue, needIssues))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/issues/{issue_number}", inst(docIssuesUpdate, withBody(f.updateIssue), needIssues|needWritable))
	f.handle(mux, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", inst(docComments, f.listComments, needIssues))
	f.handle(mux, "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", inst(docComments, withBody(f.createComment), needIssues|needWritable))
	f.handle(mux, "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", inst(docComments, withBody(f.updateComment), needIssues|needWritable))

	// Webhook deliveries (deliveries.go).
	f.handle(mux, "GET /app/hook/deliveries", app(docDeliveries, f.listDeliveries))
	f.handle(mux, "POST /app/hook/deliveries/{delivery_id}/attempts", app(docDeliveries, f.redeliver))

	unknown := &route{auth: authAny, catchAll: true, h: func(*call) *response { return notFound("") }}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { f.serve(w, r, unknown) })
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
	docTreesCreate     = "https://docs.github.com/rest/git/trees#create-a-tree"
	docCommitsCreate   = "https://docs.github.com/rest/git/commits#create-a-commit"
	docRefsCreate      = "https://docs.github.com/rest/git/refs#create-a-reference"
	docRefsUpdate      = "https://docs.github.com/rest/git/refs#update-a-reference"
	docRefsDelete      = "https://docs.github.com/rest/git/refs#delete-a-reference"
	docPullsCreate     = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
	docPullsUpdate     = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request"
	docCheckRuns       = "https://docs.github.com/rest/checks/runs#create-a-check-run"
	docCheckRunsUpdate = "https://docs.github.com/rest/checks/runs#update-a-check-run"
	docIssues          = "https://docs.github.com/rest/issues/issues#list-repository-issues"
	docIssuesCreate    = "https://docs.github.com/rest/issues/issues#create-an-issue"
	docIssuesUpdate    = "https://docs.github.com/rest/issues/issues#update-an-issue"
	docComments        = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
	docDeliveries      = "https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook"
)

// authKind says which credential a route accepts.
type authKind int

const (
	authInstallation authKind = iota // installation access token
	authApp                          // app JWT
	authAny                          // either (the catch-all 404)
)

// needs are what a repository route's preamble checks besides the repository
// itself, each answered the way GitHub answers it.
type needs uint8

const (
	// needCommits: 409 "Git Repository is empty." for a repository without commits.
	needCommits needs = 1 << iota
	// needIssues: 410 when the repository has issues turned off.
	needIssues
	// needWritable: a write to an archived repository is 403.
	needWritable
	// needContentsWrite, needPullsWrite: 403 unless the installation may write
	// contents, or pull requests.
	needContentsWrite
	needPullsWrite
)

type handlerFunc func(c *call) *response

// route is one endpoint.
type route struct {
	auth  authKind
	doc   string // documentation_url of the route's errors
	needs needs
	// catchAll is the 404 for unknown paths: GitHub says Not Found (not
	// Unauthorized) whatever the credentials, and the answer costs no budget.
	catchAll bool
	h        handlerFunc
}

func app(doc string, h handlerFunc) route { return route{auth: authApp, doc: doc, h: h} }

func inst(doc string, h handlerFunc, n needs) route {
	return route{auth: authInstallation, doc: doc, needs: n, h: h}
}

// call is one API request being served, with what the preamble resolved from its
// path: each field is set when the route's path names it.
type call struct {
	f     *Fake
	r     *http.Request
	body  []byte
	rt    *route
	who   identity
	query map[string][]string

	rs       *repoState     // {owner}/{repo}, or {repository_id} after a redirect
	issue    *issueState    // {issue_number}, {pull_number}, or the issue of {comment_id}
	comment  *IssueComment  // {comment_id}
	run      *checkRunState // {check_run_id}
	inst     *installation  // {installation_id}
	delivery *Delivery      // {delivery_id}
}

func (c *call) param(name string) string { return c.r.PathValue(name) }

func (c *call) queryValue(name string) string {
	if v := c.query[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// withBody reads the JSON request body into a T for h: an empty body is a zero T,
// a malformed one GitHub's 400.
func withBody[T any](h func(c *call, req *T) *response) handlerFunc {
	return func(c *call) *response {
		var req T
		if len(bytes.TrimSpace(c.body)) > 0 && json.Unmarshal(c.body, &req) != nil {
			return problem(http.StatusBadRequest, "Problems parsing JSON", c.rt.doc)
		}
		return h(c, &req)
	}
}

// handle registers pattern (Go ServeMux syntax, "METHOD /path") for the route. Paths
// under /repos/{owner}/{repo}/ are also served under /repositories/{repository_id}/,
// where GitHub redirects requests for renamed repositories.
func (f *Fake) handle(mux *http.ServeMux, pattern string, rt route) {
	serve := func(w http.ResponseWriter, req *http.Request) { f.serve(w, req, &rt) }
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
// limit, what the path names (resolve), the handler, conditional requests, then the
// headers every response carries and the request's record.
func (f *Fake) process(r *http.Request, body []byte, rt *route) *response {
	now := time.Now()
	c := &call{f: f, r: r, body: body, rt: rt, query: r.URL.Query()}
	who, authErr := f.authenticate(r, rt.auth, now)
	if authErr != nil && rt.catchAll {
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
		if !rt.catchAll && b.remaining <= 0 {
			resp = f.primaryRateLimited(who, rt.doc)
			break
		}
		if resp = f.resolve(c); resp == nil {
			resp = rt.h(c)
		}
		if r.Method == http.MethodGet && resp.status == http.StatusOK {
			etag := bodyETag(resp.body)
			resp.header.Set("ETag", etag)
			if etagMatches(r.Header.Get("If-None-Match"), etag) {
				resp = &response{status: http.StatusNotModified, header: resp.header}
				resp.header.Del("Content-Type")
			}
		}
		// Every authenticated request costs one unit, except a 304 (GitHub does not
		// count conditional requests answered from cache) and the catch-all.
		if !rt.catchAll && resp.status != http.StatusNotModified && !resp.hijack {
			b.spend()
			counted = true
		}
	}
	f.finishHeaders(r, resp, b)
	f.record(r, resp, who, counted, now)
	return resp
}

// resolve finds what the request's path names, in the order GitHub checks: the
// repository (a redirect for a renamed one, 404 for one the token cannot see),
// its refusals (issues off, archived), the path's objects, the installation's
// write permission, and the repository's commits. nil means the handler may run.
func (f *Fake) resolve(c *call) *response {
	n, doc := c.rt.needs, c.rt.doc
	if c.param("repo") != "" || c.param("repository_id") != "" {
		rs, redirect := f.lookupRepo(c)
		if redirect != nil {
			return redirect
		}
		if rs == nil || !f.canSee(c.who, rs) {
			return notFound(doc)
		}
		c.rs = rs
		if n&needIssues != 0 && !rs.HasIssues {
			return problem(http.StatusGone, "Issues are disabled for this repo", doc)
		}
		if n&needWritable != 0 && c.r.Method != http.MethodGet && rs.Archived {
			return problem(http.StatusForbidden, "Repository was archived so is read-only.", doc)
		}
	}
	if resp := f.resolveObjects(c); resp != nil {
		return resp
	}
	if n&needContentsWrite != 0 && !c.mayWrite("contents") || n&needPullsWrite != 0 && !c.mayWrite("pull_requests") {
		return problem(http.StatusForbidden, "Resource not accessible by integration", docIntegrationAccess)
	}
	if n&needCommits != 0 && c.rs.empty() {
		return gitRepositoryEmpty(doc)
	}
	return nil
}

// resolveObjects finds the objects the path's parameters name; a parameter that
// names nothing (or is not a number) is 404.
func (f *Fake) resolveObjects(c *call) *response {
	missing := notFound(c.rt.doc)
	if v := c.param("issue_number"); v != "" {
		n, err := strconv.Atoi(v)
		if c.issue = c.rs.issues[n]; err != nil || c.issue == nil {
			return missing
		}
		if c.issue.deleted {
			return problem(http.StatusGone, "This issue was deleted", c.rt.doc)
		}
	}
	if v := c.param("pull_number"); v != "" {
		n, err := strconv.Atoi(v)
		if c.issue = c.rs.issues[n]; err != nil || c.issue == nil || c.issue.pr == nil {
			return missing
		}
	}
	if v := c.param("comment_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if c.issue, c.comment = c.rs.findComment(id); err != nil || c.comment == nil {
			return missing
		}
	}
	if v := c.param("check_run_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if c.run = c.rs.findCheckRun(id); err != nil || c.run == nil {
			return missing
		}
	}
	if v := c.param("installation_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if c.inst = f.st.installations[id]; err != nil || c.inst == nil {
			return missing
		}
	}
	if v := c.param("delivery_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if c.delivery = f.findDelivery(id); err != nil || c.delivery == nil {
			return missing
		}
	}
	return nil
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
	b.writeHeaders(h)
}
