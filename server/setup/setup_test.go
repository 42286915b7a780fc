package setup

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/serverconfig"
)

const (
	testWebhook = "https://goldenpath.example.com/api/github/hook"
	testWebURL  = "https://github.test"
	openAPIPath = "/work/shared/ref/github/openapi/api.github.com.json"
)

var (
	keyOnce sync.Once
	keyPEM  string
)

// testKey is an RSA key in the PKCS#1 PEM form GitHub issues.
func testKey(t *testing.T) string {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	})
	return keyPEM
}

// conversion is a 201 body of apps/create-from-manifest, with the same
// fields as the OpenAPI description's example (TestFakeMatchesOpenAPI).
func conversion(t *testing.T, name string) map[string]any {
	return map[string]any{
		"id":      int64(424242),
		"slug":    "golden-path-bot",
		"node_id": "MDExOkludGVncmF0aW9uNDI0MjQy",
		"owner": map[string]any{
			"login": "acme", "id": 9, "node_id": "MDEyOk9yZ2FuaXphdGlvbjk=",
			"url": "https://api.github.test/orgs/acme", "repos_url": "https://api.github.test/orgs/acme/repos",
			"events_url": "https://api.github.test/orgs/acme/events", "avatar_url": "https://github.test/a.png",
			"gravatar_id": "", "html_url": "https://github.test/acme",
			"followers_url":       "https://api.github.test/users/acme/followers",
			"following_url":       "https://api.github.test/users/acme/following{/other_user}",
			"gists_url":           "https://api.github.test/users/acme/gists{/gist_id}",
			"starred_url":         "https://api.github.test/users/acme/starred{/owner}{/repo}",
			"subscriptions_url":   "https://api.github.test/users/acme/subscriptions",
			"organizations_url":   "https://api.github.test/users/acme/orgs",
			"received_events_url": "https://api.github.test/users/acme/received_events",
			"type":                "Organization", "site_admin": false,
		},
		"name":           name,
		"description":    "",
		"external_url":   "https://goldenpath.example.com",
		"html_url":       "https://github.test/apps/golden-path-bot",
		"created_at":     "2026-07-08T16:18:44-04:00",
		"updated_at":     "2026-07-08T16:18:44-04:00",
		"permissions":    map[string]any{"checks": "write", "contents": "read", "issues": "write", "metadata": "read", "pull_requests": "read"},
		"events":         []any{"check_run", "check_suite", "issues", "pull_request", "push", "repository"},
		"client_id":      "Iv1.8a61f9b3a7aba766",
		"client_secret":  "1726be1638095a19edd134c77bde3aa2ece1e5d8",
		"webhook_secret": "e340154128314309424b7c8e90325147d99fdafa",
		"pem":            testKey(t),
	}
}

// fakeGitHub serves POST /app-manifests/{code}/conversions.
type fakeGitHub struct {
	*httptest.Server
	mu     sync.Mutex
	codes  []string
	status int
	body   any
}

func newFakeGitHub(t *testing.T, status int, body any) *fakeGitHub {
	f := &fakeGitHub{status: status, body: body}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /app-manifests/{code}/conversions", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("conversion sent an Authorization header; the endpoint takes none")
		}
		f.mu.Lock()
		f.codes = append(f.codes, r.PathValue("code"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(f.status)
		_ = json.NewEncoder(w).Encode(f.body)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGitHub) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.codes...)
}

func (f *fakeGitHub) options(t *testing.T) Options {
	return Options{
		Org:        "acme",
		WebURL:     testWebURL,
		APIURL:     f.URL + "/",
		WebhookURL: testWebhook,
		Output:     filepath.Join(t.TempDir(), "goldenpath.yaml"),
		HTTPClient: f.Client(),
	}
}

// running is a Run in progress.
type running struct {
	local string
	done  chan outcome
}

func start(t *testing.T, ctx context.Context, opts Options) *running {
	t.Helper()
	r := &running{done: make(chan outcome, 1)}
	urls := make(chan string, 1)
	go func() {
		res, err := Run(ctx, opts, func(u string) { urls <- u })
		r.done <- outcome{res, err}
	}()
	select {
	case r.local = <-urls:
	case o := <-r.done:
		t.Fatalf("Run returned before it was ready: %v", o.err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run never called ready")
	}
	return r
}

func (r *running) wait(t *testing.T) (*Result, error) {
	t.Helper()
	select {
	case o := <-r.done:
		return o.res, o.err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return nil, nil
	}
}

func (r *running) still(t *testing.T) {
	t.Helper()
	select {
	case o := <-r.done:
		t.Fatalf("Run returned (%v), want it still waiting", o.err)
	case <-time.After(50 * time.Millisecond):
	}
}

var browser = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

var (
	formRE     = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	manifestRE = regexp.MustCompile(`<input type="hidden" name="manifest" value="([^"]*)">`)
)

// startPage loads / and returns the form's action and its manifest.
func (r *running) startPage(t *testing.T) (*url.URL, Manifest) {
	t.Helper()
	status, body := get(t, r.local)
	if status != http.StatusOK {
		t.Fatalf("GET / = %d: %s", status, body)
	}
	fm, mm := formRE.FindStringSubmatch(body), manifestRE.FindStringSubmatch(body)
	if fm == nil || mm == nil {
		t.Fatalf("GET / has no manifest form:\n%s", body)
	}
	action, err := url.Parse(html.UnescapeString(fm[1]))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(html.UnescapeString(mm[1])))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest field: %v", err)
	}
	return action, m
}

func (r *running) callback(t *testing.T, code, state string) (int, string) {
	t.Helper()
	q := url.Values{}
	if code != "" {
		q.Set("code", code)
	}
	if state != "" {
		q.Set("state", state)
	}
	return get(t, r.local+"callback?"+q.Encode())
}

func noFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists (err %v), want no file", path, err)
	}
}

func TestRunFullFlow(t *testing.T) {
	gh := newFakeGitHub(t, http.StatusCreated, conversion(t, "Golden Path Bot"))
	opts := gh.options(t)
	r := start(t, t.Context(), opts)
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/$`).MatchString(r.local) {
		t.Errorf("ready(%q), want http://127.0.0.1:PORT/", r.local)
	}

	action, m := r.startPage(t)
	state := action.Query().Get("state")
	if len(state) < 32 {
		t.Errorf("state %q is too short to be unguessable", state)
	}
	if got, want := action.Scheme+"://"+action.Host+action.Path, testWebURL+"/organizations/acme/settings/apps/new"; got != want {
		t.Errorf("form posts to %s, want %s", got, want)
	}
	if m.RedirectURL != r.local+"callback" {
		t.Errorf("redirect_url = %q, want %q", m.RedirectURL, r.local+"callback")
	}
	if m.HookAttributes.URL != testWebhook || !m.HookAttributes.Active {
		t.Errorf("hook_attributes = %+v, want active %s", m.HookAttributes, testWebhook)
	}
	if m.URL != "https://goldenpath.example.com" {
		t.Errorf("url = %q, want the webhook URL's origin", m.URL)
	}
	if m.Public {
		t.Error("manifest makes the app public")
	}
	want := DefaultManifest()
	if _, err := os.Stat(deployManifest); err == nil {
		want = loadDeployManifest(t)
	} else {
		t.Logf("%s absent: comparing permissions and events with DefaultManifest", deployManifest)
	}
	if !reflect.DeepEqual(m.DefaultPermissions, want.DefaultPermissions) {
		t.Errorf("permissions = %v, want %v", m.DefaultPermissions, want.DefaultPermissions)
	}
	if !reflect.DeepEqual(m.DefaultEvents, want.DefaultEvents) {
		t.Errorf("events = %v, want %v", m.DefaultEvents, want.DefaultEvents)
	}
	if m.Name != want.Name || m.Description != want.Description {
		t.Errorf("name/description = %q/%q, want %q/%q", m.Name, m.Description, want.Name, want.Description)
	}

	status, body := r.callback(t, "c0de-1", state)
	if status != http.StatusOK {
		t.Fatalf("callback = %d: %s", status, body)
	}
	for _, s := range []string{"Golden Path Bot", "https://github.test/apps/golden-path-bot/installations/new", opts.Output} {
		if !strings.Contains(body, s) {
			t.Errorf("success page lacks %q:\n%s", s, body)
		}
	}
	res, err := r.wait(t)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := gh.calls(); !reflect.DeepEqual(got, []string{"c0de-1"}) {
		t.Errorf("conversions called with %v, want [c0de-1]", got)
	}
	wantRes := &Result{
		AppID: 424242, Slug: "golden-path-bot", Name: "Golden Path Bot", Owner: "acme",
		HTMLURL:    "https://github.test/apps/golden-path-bot",
		InstallURL: "https://github.test/apps/golden-path-bot/installations/new",
		WebhookURL: testWebhook, ConfigPath: opts.Output,
	}
	if !reflect.DeepEqual(res, wantRes) {
		t.Errorf("Result = %+v\nwant %+v", res, wantRes)
	}
	checkConfig(t, opts.Output, gh.URL+"/", "https://goldenpath.example.com")

	// The server is gone once Run has returned.
	if _, err := browser.Get(r.local); err == nil {
		t.Error("setup page still answers after Run returned")
	}
}

// checkConfig loads the written file the way `goldenpath serve` does.
func checkConfig(t *testing.T, path, apiURL, publicURL string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	cfg, err := serverconfig.LoadServer(path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("serverconfig.LoadServer: %v", err)
	}
	app := cfg.GitHub.App
	if app.IntegrationID != 424242 || app.WebhookSecret != "e340154128314309424b7c8e90325147d99fdafa" || app.PrivateKey != testKey(t) {
		t.Errorf("github.app = {%d %q key-matches=%v}, want the fake's", app.IntegrationID, app.WebhookSecret, app.PrivateKey == testKey(t))
	}
	if cfg.GitHub.WebURL != testWebURL || cfg.GitHub.V3APIURL != apiURL || cfg.GitHub.V4APIURL != apiURL+"graphql" {
		t.Errorf("github URLs = %q %q %q", cfg.GitHub.WebURL, cfg.GitHub.V3APIURL, cfg.GitHub.V4APIURL)
	}
	if cfg.HTTP.PublicURL != publicURL {
		t.Errorf("server.public_url = %q, want %q", cfg.HTTP.PublicURL, publicURL)
	}
	if cfg.GitHub.OAuth.ClientSecret != "" {
		t.Error("the OAuth client secret was written; setup keeps only what serve needs")
	}
}

func TestRunCallbackRejected(t *testing.T) {
	gh := newFakeGitHub(t, http.StatusCreated, conversion(t, "Golden Path Bot"))
	opts := gh.options(t)
	r := start(t, t.Context(), opts)
	action, _ := r.startPage(t)
	state := action.Query().Get("state")

	for _, tc := range []struct {
		name, code, state string
		status            int
	}{
		{"wrong state", "abc", strings.Repeat("0", len(state)), http.StatusBadRequest},
		{"state prefix", "abc", state[:len(state)-1], http.StatusBadRequest},
		{"no state", "abc", "", http.StatusBadRequest},
		{"no code", "", state, http.StatusBadRequest},
		{"code with a slash", "a/../b", state, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := r.callback(t, tc.code, tc.state)
			if status != tc.status {
				t.Errorf("callback = %d, want %d: %s", status, tc.status, body)
			}
			noFile(t, opts.Output)
			r.still(t)
		})
	}
	if got := gh.calls(); len(got) != 0 {
		t.Errorf("rejected callbacks reached GitHub: %v", got)
	}

	// A page elsewhere rebound to 127.0.0.1 must not read the state.
	req, _ := http.NewRequest(http.MethodGet, r.local, nil)
	req.Host = "evil.example:80"
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host = %d, want 421", resp.StatusCode)
	}

	// The session still completes with the right state.
	if status, body := r.callback(t, "good", state); status != http.StatusOK {
		t.Fatalf("callback = %d: %s", status, body)
	}
	if _, err := r.wait(t); err != nil {
		t.Fatal(err)
	}
	checkConfig(t, opts.Output, gh.URL+"/", "https://goldenpath.example.com")
}

func TestRunConversionFails(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   any
		want   string
	}{
		{"404 unknown code", http.StatusNotFound,
			map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest", "status": "404"},
			"GitHub did not accept the manifest code (404 Not Found: Not Found): it is unknown, already used or more than an hour old; run setup again"},
		{"422 validation", http.StatusUnprocessableEntity,
			map[string]any{"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest", "errors": []any{"Name is already in use"}},
			"GitHub could not create the app from the manifest (422 Unprocessable Entity: Validation Failed; Name is already in use)"},
		{"500 no JSON", http.StatusInternalServerError, "oops", "GitHub answered 500 Internal Server Error to the manifest code exchange"},
		{"201 without pem", http.StatusCreated, map[string]any{"id": 1, "webhook_secret": "s"}, "has no private key"},
		{"201 null webhook secret", http.StatusCreated, map[string]any{"id": 1, "pem": "x", "webhook_secret": nil}, "has no webhook secret"},
		{"201 bad key", http.StatusCreated, map[string]any{"id": 1, "pem": "not a key", "webhook_secret": "s", "name": "X"},
			"github.app.private_key is not a PEM RSA private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh := newFakeGitHub(t, tc.status, tc.body)
			opts := gh.options(t)
			r := start(t, t.Context(), opts)
			action, _ := r.startPage(t)
			status, body := r.callback(t, "c", action.Query().Get("state"))
			if status < 400 {
				t.Errorf("callback = %d, want an error page", status)
			}
			_, err := r.wait(t)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run error = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if !strings.Contains(body, html.EscapeString(tc.want)) {
				t.Errorf("error page lacks the reason:\n%s", body)
			}
			noFile(t, opts.Output)
		})
	}
}

func TestRunExistingOutput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		force bool
	}{
		{"refused without force", false},
		{"replaced with force", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh := newFakeGitHub(t, http.StatusCreated, conversion(t, "Golden Path Bot"))
			opts := gh.options(t)
			opts.Force = tc.force
			if err := os.WriteFile(opts.Output, []byte("old: true\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if !tc.force {
				_, err := Run(t.Context(), opts, func(string) { t.Error("ready called for a refused output") })
				if err == nil || !strings.Contains(err.Error(), "already exists; use --force") {
					t.Fatalf("Run = %v, want a refusal", err)
				}
				if b, _ := os.ReadFile(opts.Output); string(b) != "old: true\n" {
					t.Errorf("existing file changed: %q", b)
				}
				return
			}
			r := start(t, t.Context(), opts)
			action, _ := r.startPage(t)
			if status, body := r.callback(t, "c", action.Query().Get("state")); status != http.StatusOK {
				t.Fatalf("callback = %d: %s", status, body)
			}
			if _, err := r.wait(t); err != nil {
				t.Fatal(err)
			}
			checkConfig(t, opts.Output, gh.URL+"/", "https://goldenpath.example.com")
			entries, _ := os.ReadDir(filepath.Dir(opts.Output))
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the config (no temporary left)", len(entries))
			}
		})
	}
}

// An output that appears while the browser is on GitHub is not overwritten,
// and the app's credentials are saved elsewhere rather than lost.
func TestRunOutputAppearsMeanwhile(t *testing.T) {
	gh := newFakeGitHub(t, http.StatusCreated, conversion(t, "Golden Path Bot"))
	opts := gh.options(t)
	r := start(t, t.Context(), opts)
	action, _ := r.startPage(t)
	if err := os.WriteFile(opts.Output, []byte("theirs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _ := r.callback(t, "c", action.Query().Get("state"))
	if status != http.StatusInternalServerError {
		t.Errorf("callback = %d, want 500", status)
	}
	res, err := r.wait(t)
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "saved to") {
		t.Fatalf("Run error = %v, want the file refused and the config saved elsewhere", err)
	}
	if res == nil || res.ConfigPath == "" || res.ConfigPath == opts.Output {
		t.Fatalf("Result = %+v, want the rescue path", res)
	}
	t.Cleanup(func() { os.Remove(res.ConfigPath) })
	checkConfig(t, res.ConfigPath, gh.URL+"/", "https://goldenpath.example.com")
	if b, _ := os.ReadFile(opts.Output); string(b) != "theirs\n" {
		t.Errorf("existing file changed: %q", b)
	}
}

// Whatever GitHub returns is escaped on the pages.
func TestRunEscapesPages(t *testing.T) {
	// A line break in the name must not end the config file's comment either.
	evil := "<script>alert(\"x\")</script>\nserver: {port: 1}"
	body := conversion(t, evil)
	body["html_url"] = `javascript:alert(1)`
	gh := newFakeGitHub(t, http.StatusCreated, body)
	opts := gh.options(t)
	r := start(t, t.Context(), opts)
	action, _ := r.startPage(t)
	status, page := r.callback(t, "c", action.Query().Get("state"))
	if status != http.StatusOK {
		t.Fatalf("callback = %d: %s", status, page)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "javascript:") {
		t.Errorf("page renders GitHub's text unescaped:\n%s", page)
	}
	res, err := r.wait(t)
	if err != nil {
		t.Fatal(err)
	}
	if res.HTMLURL != testWebURL+"/apps/golden-path-bot" {
		t.Errorf("HTMLURL = %q, want the URL made from the slug", res.HTMLURL)
	}
	checkConfig(t, opts.Output, gh.URL+"/", "https://goldenpath.example.com")
}

func TestRunCancelled(t *testing.T) {
	gh := newFakeGitHub(t, http.StatusCreated, conversion(t, "Golden Path Bot"))
	opts := gh.options(t)
	ctx, cancel := context.WithCancel(t.Context())
	r := start(t, ctx, opts)
	cancel()
	if _, err := r.wait(t); err == nil || !strings.Contains(err.Error(), "setup stopped before GitHub sent the browser back") {
		t.Errorf("Run = %v, want stopped", err)
	}
	noFile(t, opts.Output)
}

// TestFakeMatchesOpenAPI checks that the fake's 201 body has the fields, and
// JSON types, of the apps/create-from-manifest example in GitHub's OpenAPI
// description, so the tests exercise what GitHub really sends.
func TestFakeMatchesOpenAPI(t *testing.T) {
	raw, err := os.ReadFile(openAPIPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent: the fake's shape is not checked against GitHub's OpenAPI description", openAPIPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Examples map[string]struct {
				Value json.RawMessage `json:"value"`
			} `json:"examples"`
			Schemas map[string]struct {
				Required []string `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	var op struct {
		OperationID string `json:"operationId"`
		Responses   map[string]struct {
			Content map[string]struct {
				Schema struct {
					AllOf []struct {
						Ref      string   `json:"$ref"`
						Required []string `json:"required"`
					} `json:"allOf"`
				} `json:"schema"`
				Examples map[string]struct {
					Ref string `json:"$ref"`
				} `json:"examples"`
			} `json:"content"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(spec.Paths["/app-manifests/{code}/conversions"]["post"], &op); err != nil || op.OperationID != "apps/create-from-manifest" {
		t.Fatalf("no apps/create-from-manifest at POST /app-manifests/{code}/conversions (%v)", err)
	}
	media := op.Responses["201"].Content["application/json"]
	ref := media.Examples["default"].Ref
	var example map[string]any
	if err := json.Unmarshal(spec.Components.Examples[strings.TrimPrefix(ref, "#/components/examples/")].Value, &example); err != nil || example == nil {
		t.Fatalf("example %q not found (%v)", ref, err)
	}

	var fake map[string]any
	b, _ := json.Marshal(conversion(t, "Golden Path Bot"))
	_ = json.Unmarshal(b, &fake)
	if got, want := shape(fake), shape(example); !reflect.DeepEqual(got, want) {
		t.Errorf("fake conversion body differs from the OpenAPI example:\n got  %v\n want %v", got, want)
	}

	// Every required field of the 201 schema is in the fake, and in App
	// where setup reads it.
	var required []string
	for _, part := range media.Schema.AllOf {
		required = append(required, part.Required...)
		if part.Ref != "" {
			required = append(required, spec.Components.Schemas[strings.TrimPrefix(part.Ref, "#/components/schemas/")].Required...)
		}
	}
	if len(required) == 0 {
		t.Fatal("no required fields found in the 201 schema")
	}
	for _, k := range required {
		if _, ok := fake[k]; !ok {
			t.Errorf("fake lacks required field %q", k)
		}
	}
	var app App
	if err := json.Unmarshal(b, &app); err != nil || app.ID == 0 || app.PEM == "" || app.WebhookSecret == nil || app.HTMLURL == "" {
		t.Errorf("App does not decode the example shape: %+v, %v", app, err)
	}
}

// shape lists "key:type" for every field, nested objects included.
func shape(v map[string]any) []string {
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, x := range m {
			kind := "null"
			switch x := x.(type) {
			case string:
				kind = "string"
			case float64:
				kind = "number"
			case bool:
				kind = "bool"
			case []any:
				kind = "array"
			case map[string]any:
				kind = "object"
				if k != "permissions" { // free-form map
					walk(prefix+k+".", x)
				}
			}
			out = append(out, prefix+k+":"+kind)
		}
	}
	walk("", v)
	sort.Strings(out)
	return out
}
