package githubfake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

const (
	testInstallation int64 = 7
	testOrg                = "acme"
)

// world is a fake with one installation on "acme" and a repository "acme/api"
// holding one commit on main.
type world struct {
	fake *githubfake.Fake
	head string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	f := githubfake.New(t)
	f.AddInstallation(testInstallation, testOrg)
	f.AddRepo(testOrg, "api", githubfake.WithDescription("The API"), githubfake.WithTopics("go", "service"))
	head := f.Commit(testOrg, "api", "main", map[string]string{
		"README.md":         "# api\n",
		"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\n",
		"docs/index.md":     "hello\n",
		"docs/adr/0001.md":  "decision\n",
	})
	return &world{fake: f, head: head}
}

// installationClient authenticates like the app does: go-githubapp's caching client
// creator, JWT for the token, token for the calls.
func installationClient(t *testing.T, f *githubfake.Fake, id int64, opts ...githubapp.ClientOption) *github.Client {
	t.Helper()
	cc, err := githubapp.NewDefaultCachingClientCreator(f.Config(), opts...)
	if err != nil {
		t.Fatalf("client creator: %v", err)
	}
	client, err := cc.NewInstallationClient(id)
	if err != nil {
		t.Fatalf("installation client: %v", err)
	}
	return client
}

func appClient(t *testing.T, f *githubfake.Fake) *github.Client {
	t.Helper()
	cc, err := githubapp.NewDefaultCachingClientCreator(f.Config())
	if err != nil {
		t.Fatalf("client creator: %v", err)
	}
	client, err := cc.NewAppClient()
	if err != nil {
		t.Fatalf("app client: %v", err)
	}
	return client
}

// rawCall is one plain HTTP request against the fake, for header-level checks.
type rawCall struct {
	method  string
	path    string
	auth    string // full Authorization header value
	body    string
	headers map[string]string
}

type rawResult struct {
	status int
	header http.Header
	body   []byte
}

func (r rawResult) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

func do(t *testing.T, f *githubfake.Fake, c rawCall) rawResult {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(method, f.URL()+strings.TrimPrefix(c.path, "/"), body)
	if err != nil {
		t.Fatal(err)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, c.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResult{status: resp.StatusCode, header: resp.Header, body: b}
}

func token(f *githubfake.Fake, id int64) string { return "token " + f.InstallationToken(id) }

var ctx = context.Background()

// statusOf is the HTTP status behind a go-github error (0 when there is none).
func statusOf(err error) int {
	switch e := err.(type) {
	case *github.ErrorResponse:
		return e.Response.StatusCode
	case *github.RateLimitError:
		return e.Response.StatusCode
	case *github.AbuseRateLimitError:
		return e.Response.StatusCode
	}
	return 0
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
