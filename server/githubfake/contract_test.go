package githubfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

// openAPIPath is GitHub's REST description, kept in shared/ beside the project
// (never copied into it).
const openAPIPath = "../../../shared/ref/github/openapi/api.github.com.json"

var (
	specOnce sync.Once
	spec     *openapi3.T
	specErr  error
)

// loadSpec loads the 13 MB description once per test binary. kin-openapi loads all
// of it (811 paths, 969 schemas); nothing had to be left out.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	if _, err := os.Stat(openAPIPath); errors.Is(err, os.ErrNotExist) {
		t.Skipf("GitHub's OpenAPI description is absent (%s); the contract test needs it", openAPIPath)
	}
	specOnce.Do(func() {
		// The description marks many URLs format "uri"; hold the fake to it.
		openapi3.DefineStringFormatValidator("uri", openapi3.NewCallbackValidator(func(s string) error {
			u, err := url.Parse(s)
			if err != nil || !u.IsAbs() {
				return fmt.Errorf("not an absolute URI: %q", s)
			}
			return nil
		}))
		loader := openapi3.NewLoader()
		spec, specErr = loader.LoadFromFile(openAPIPath)
	})
	if specErr != nil {
		t.Fatalf("load %s: %v", openAPIPath, specErr)
	}
	return spec
}

type contractCase struct {
	// op is the operation in the description: method and path template.
	method, template string
	// path is the request made to the fake.
	path       string
	body       string
	app        bool // authenticate with the app JWT instead of an installation token
	headers    map[string]string
	wantStatus int
	// itemsOf, when set, validates the body as an array of this component schema
	// instead of the operation's response (see the GET /app/installations case).
	itemsOf string
}

func TestOpenAPIContract(t *testing.T) {
	doc := loadSpec(t)
	w, prNumber, runID, issueNumber := eventWorld(t)
	f := w.fake
	f.AddRepo(testOrg, "old", githubfake.WithArchived())
	f.AddRepo(testOrg, "noissues")
	f.UpdateRepo(testOrg, "noissues", func(r *githubfake.Repo) { r.HasIssues = false })
	f.AddRepo(testOrg, "former")
	f.RenameRepo(testOrg, "former", "latter")
	commentID := f.AddIssueComment(testOrg, "api", prNumber, "octocat", "first")
	deliveryID := f.RecordDelivery("72d3162e-cc78-11e3-81ab-4c9367dc0958", "pull_request", 500)
	head := f.Branch(testOrg, "api", "main")
	blob := githubfake.BlobSHA("# api\n")
	client := installationClient(t, f, testInstallation)
	if _, _, err := client.Checks.UpdateCheckRun(ctx, testOrg, "api", runID, github.UpdateCheckRunOptions{
		Name: "Golden Path", Conclusion: github.String("neutral"),
		Output: &github.CheckRunOutput{Title: github.String("1 of 2 golden-path rules pass"), Summary: github.String("s"), Annotations: annotations(3)},
	}); err != nil {
		t.Fatal(err)
	}
	prETag := do(t, f, rawCall{path: fmt.Sprintf("/repos/acme/api/pulls/%d", prNumber), auth: token(f, testInstallation)}).header.Get("ETag")

	repo := "/repos/{owner}/{repo}"
	cases := []contractCase{
		{method: "GET", template: "/app", path: "/app", app: true, wantStatus: 200},
		// Octokit replaced this operation with its own, whose "account" is allOf
		// [simple-user, enterprise] (so every account would need an enterprise's
		// name, slug and dates); upstream's is anyOf. Validate against upstream's
		// "installation" component, which is what GitHub returns.
		{method: "GET", template: "/app/installations", path: "/app/installations?per_page=100", app: true, wantStatus: 200, itemsOf: "installation"},
		{method: "POST", template: "/app/installations/{installation_id}/access_tokens", path: "/app/installations/7/access_tokens", app: true, wantStatus: 201},
		{method: "POST", template: "/app/installations/{installation_id}/access_tokens", path: "/app/installations/404/access_tokens", app: true, wantStatus: 404},
		{method: "GET", template: "/app/hook/deliveries", path: "/app/hook/deliveries?per_page=100", app: true, wantStatus: 200},
		{method: "POST", template: "/app/hook/deliveries/{delivery_id}/attempts", path: fmt.Sprintf("/app/hook/deliveries/%d/attempts", deliveryID), app: true, wantStatus: 202},
		{method: "GET", template: "/installation/repositories", path: "/installation/repositories?per_page=100", wantStatus: 200},

		{method: "GET", template: repo + "/branches/{branch}", path: "/repos/acme/api/branches/main", wantStatus: 200},
		{method: "GET", template: repo + "/branches/{branch}", path: "/repos/acme/api/branches/nope", wantStatus: 404},
		{method: "GET", template: repo + "/branches/{branch}", path: "/repos/acme/nope/branches/main", wantStatus: 404},
		{method: "GET", template: repo + "/branches/{branch}", path: "/repos/acme/former/branches/main", wantStatus: 301},
		{method: "GET", template: repo + "/git/trees/{tree_sha}", path: "/repos/acme/api/git/trees/main?recursive=1", wantStatus: 200},
		{method: "GET", template: repo + "/git/trees/{tree_sha}", path: "/repos/acme/api/git/trees/" + head, wantStatus: 200},
		{method: "GET", template: repo + "/git/trees/{tree_sha}", path: "/repos/acme/api/git/trees/nope", wantStatus: 404},
		{method: "GET", template: repo + "/git/blobs/{file_sha}", path: "/repos/acme/api/git/blobs/" + blob, wantStatus: 200},
		{method: "GET", template: repo + "/git/blobs/{file_sha}", path: "/repos/acme/api/git/blobs/" + strings.Repeat("0", 40), wantStatus: 404},
		{method: "GET", template: repo + "/git/commits/{commit_sha}", path: "/repos/acme/api/git/commits/" + head, wantStatus: 200},
		{method: "GET", template: repo + "/contents/{path}", path: "/repos/acme/api/contents/README.md", wantStatus: 200},
		{method: "GET", template: repo + "/contents/{path}", path: "/repos/acme/api/contents/docs?ref=main", wantStatus: 200},
		{method: "GET", template: repo + "/contents/{path}", path: "/repos/acme/api/contents/.github/golden-path.yaml", wantStatus: 404},
		{method: "GET", template: repo + "/pulls", path: "/repos/acme/api/pulls?state=all", wantStatus: 200},
		{method: "GET", template: repo + "/pulls/{pull_number}", path: fmt.Sprintf("/repos/acme/api/pulls/%d", prNumber), wantStatus: 200},
		{method: "GET", template: repo + "/pulls/{pull_number}", path: fmt.Sprintf("/repos/acme/api/pulls/%d", prNumber), headers: map[string]string{"If-None-Match": prETag}, wantStatus: 304},
		{method: "GET", template: repo + "/pulls/{pull_number}", path: "/repos/acme/api/pulls/999", wantStatus: 404},

		{method: "POST", template: repo + "/check-runs", path: "/repos/acme/api/check-runs", body: fmt.Sprintf(`{"name":"Golden Path","head_sha":%q,"status":"in_progress","output":{"title":"t","summary":"s","annotations":[{"path":"README.md","start_line":1,"end_line":1,"start_column":1,"end_column":3,"annotation_level":"failure","message":"m"}]}}`, head), wantStatus: 201},
		{method: "PATCH", template: repo + "/check-runs/{check_run_id}", path: fmt.Sprintf("/repos/acme/api/check-runs/%d", runID), body: `{"status":"completed","conclusion":"success"}`, wantStatus: 200},

		{method: "GET", template: repo + "/issues", path: "/repos/acme/api/issues?state=all&per_page=100", wantStatus: 200},
		{method: "POST", template: repo + "/issues", path: "/repos/acme/api/issues", body: `{"title":"Golden Path adoption report","body":"<!-- goldenpath:report -->","labels":["golden-path"]}`, wantStatus: 201},
		{method: "POST", template: repo + "/issues", path: "/repos/acme/api/issues", body: fmt.Sprintf(`{"title":"x","body":%q}`, strings.Repeat("b", 65537)), wantStatus: 422},
		{method: "POST", template: repo + "/issues", path: "/repos/acme/old/issues", body: `{"title":"x"}`, wantStatus: 403},
		{method: "POST", template: repo + "/issues", path: "/repos/acme/noissues/issues", body: `{"title":"x"}`, wantStatus: 410},
		{method: "GET", template: repo + "/issues/{issue_number}", path: fmt.Sprintf("/repos/acme/api/issues/%d", issueNumber), wantStatus: 200},
		{method: "GET", template: repo + "/issues/{issue_number}", path: fmt.Sprintf("/repos/acme/api/issues/%d", prNumber), wantStatus: 200},
		{method: "GET", template: repo + "/issues/{issue_number}", path: "/repos/acme/api/issues/999", wantStatus: 404},
		{method: "PATCH", template: repo + "/issues/{issue_number}", path: fmt.Sprintf("/repos/acme/api/issues/%d", issueNumber), body: `{"body":"- [ ] Re-scan all repositories now","state":"closed"}`, wantStatus: 200},
		{method: "PATCH", template: repo + "/issues/{issue_number}", path: fmt.Sprintf("/repos/acme/api/issues/%d", issueNumber), body: `{"state":"sideways"}`, wantStatus: 422},
		{method: "GET", template: repo + "/issues/{issue_number}/comments", path: fmt.Sprintf("/repos/acme/api/issues/%d/comments", prNumber), wantStatus: 200},
		{method: "POST", template: repo + "/issues/{issue_number}/comments", path: fmt.Sprintf("/repos/acme/api/issues/%d/comments", prNumber), body: `{"body":"<!-- goldenpath:pr -->"}`, wantStatus: 201},
		{method: "POST", template: repo + "/issues/{issue_number}/comments", path: fmt.Sprintf("/repos/acme/api/issues/%d/comments", prNumber), body: `{}`, wantStatus: 422},
		{method: "POST", template: repo + "/issues/{issue_number}/comments", path: "/repos/acme/api/issues/999/comments", body: `{"body":"x"}`, wantStatus: 404},
		{method: "PATCH", template: repo + "/issues/comments/{comment_id}", path: fmt.Sprintf("/repos/acme/api/issues/comments/%d", commentID), body: `{"body":"edited"}`, wantStatus: 200},
		{method: "PATCH", template: repo + "/issues/comments/{comment_id}", path: fmt.Sprintf("/repos/acme/api/issues/comments/%d", commentID), body: `{"body":""}`, wantStatus: 422},
	}
	tok := token(f, testInstallation)
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %s %d", tc.method, tc.path, tc.wantStatus), func(t *testing.T) {
			auth := tok
			if tc.app {
				auth = "Bearer " + f.AppJWT()
			}
			req, status, header, body := exchange(t, f, tc, auth)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d: %s", status, tc.wantStatus, body)
			}
			validateResponse(t, doc, tc, req, status, header, body)
		})
	}
}

func exchange(t *testing.T, f *githubfake.Fake, tc contractCase, auth string) (*http.Request, int, http.Header, []byte) {
	t.Helper()
	var body io.Reader
	if tc.body != "" {
		body = strings.NewReader(tc.body)
	}
	req, err := http.NewRequest(tc.method, f.URL()+strings.TrimPrefix(tc.path, "/"), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/vnd.github+json")
	for k, v := range tc.headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return req, resp.StatusCode, resp.Header, b
}

func validateResponse(t *testing.T, doc *openapi3.T, tc contractCase, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if tc.itemsOf != "" {
		validateItems(t, doc, tc.itemsOf, body)
		return
	}
	item := doc.Paths.Find(tc.template)
	if item == nil {
		t.Fatalf("the description has no path %s", tc.template)
	}
	op := item.GetOperation(tc.method)
	if op == nil {
		t.Fatalf("the description has no operation %s %s", tc.method, tc.template)
	}
	route := &routers.Route{Spec: doc, Path: tc.template, PathItem: item, Method: tc.method, Operation: op}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("response does not match %s (%s %s):\n%s\nbody: %s", op.OperationID, tc.method, tc.template, summarize(err), truncate(body))
	}
	if status != http.StatusNotModified && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		t.Errorf("body is not JSON: %s", truncate(body))
	}
}

func validateItems(t *testing.T, doc *openapi3.T, schema string, body []byte) {
	t.Helper()
	ref := doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil {
		t.Fatalf("the description has no schema %s", schema)
	}
	var items []any
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatalf("body is not a JSON array: %v", err)
	}
	for i, item := range items {
		if err := ref.Value.VisitJSON(item, openapi3.MultiErrors()); err != nil {
			t.Errorf("item %d does not match %s:\n%s", i, schema, summarize(err))
		}
	}
}

// summarize keeps the "Error at <pointer>: <reason>" lines of kin-openapi's
// errors, which otherwise print whole schemas.
func summarize(err error) string {
	found := regexp.MustCompile(`Error at "[^"]*": [^\n|]*`).FindAllString(err.Error(), -1)
	if len(found) == 0 {
		return err.Error()
	}
	return strings.Join(found, "\n")
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
