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
	"encoding/json"
	"fmt"
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
