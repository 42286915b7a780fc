package githubfake_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

// webhookExamples holds GitHub's real payloads (octokit/webhooks), beside the project.
const webhookExamples = "../../../shared/ref/github/webhooks"

func TestSignedRequest(t *testing.T) {
	body := []byte(`{"zen":"Keep it logically awesome."}`)
	req := githubfake.SignedRequest("http://app.test/api/github/hook", "s3cret", "ping", "d1", body)
	for _, h := range []string{"X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256", "X-Hub-Signature", "Content-Type", "User-Agent"} {
		if req.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	payload, err := github.ValidatePayload(req, []byte("s3cret"))
	if err != nil || string(payload) != string(body) {
		t.Fatalf("ValidatePayload = %q, %v", payload, err)
	}
	req = githubfake.SignedRequest("http://app.test/api/github/hook", "s3cret", "ping", "d1", body)
	if _, err := github.ValidatePayload(req, []byte("wrong")); err == nil {
		t.Error("a wrong secret validated")
	}
}

// TestWebhookSignatureKnownValue pins the signature to GitHub's documented example
// ("Validating webhook deliveries").
func TestWebhookSignatureKnownValue(t *testing.T) {
	req := githubfake.SignedRequest("http://app.test/hook", "It's a Secret to Everybody", "ping", "d", []byte("Hello, World!"))
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := req.Header.Get("X-Hub-Signature-256"); got != want {
		t.Errorf("X-Hub-Signature-256 = %s, want %s (GitHub's documented example)", got, want)
	}
}

// eventWorld has a pull request, a check run, an edited report issue and a renamed
// repository, so every builder has something to describe.
func eventWorld(t *testing.T) (*world, int, int64, int) {
	t.Helper()
	w := newWorld(t)
	f := w.fake
	f.Commit(testOrg, "api", "feature", map[string]string{"README.md": "v1\n"})
	pr := f.OpenPR(testOrg, "api", 0, "feature", "main")
	f.Commit(testOrg, "api", "feature", map[string]string{"README.md": "v2\n"})
	client := installationClient(t, f, testInstallation)
	run, _, err := client.Checks.CreateCheckRun(ctx, testOrg, "api", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: f.Branch(testOrg, "api", "feature"),
		Actions: []*github.CheckRunAction{{Label: "Fix it for me", Description: "Open a pull request", Identifier: "fix"}}})
	if err != nil {
		t.Fatal(err)
	}
	issue := f.AddIssue(testOrg, "api", githubfake.Issue{Title: "Golden Path adoption report", Body: "- [ ] Re-scan all repositories now", Labels: []string{"golden-path"}})
	f.EditIssue(testOrg, "api", issue, "- [x] Re-scan all repositories now")
	return w, pr, run.GetID(), issue
}

func TestPayloadBuilders(t *testing.T) {
	w, prNumber, runID, issueNumber := eventWorld(t)
	f := w.fake
	pr := f.PullRequest(testOrg, "api", prNumber)
	f.AddRepo(testOrg, "web")
	f.RenameRepo(testOrg, "web", "website")

	tests := []struct {
		name    string
		event   string
		payload githubfake.Payload
		example string
		// ignore lists example fields that do not apply to this payload.
		ignore []string
		check  func(t *testing.T, ev any)
	}{
		{"pull_request opened", "pull_request", f.PullRequestEvent("opened", testOrg, "api", prNumber), "pull_request.opened.3.json", nil, func(t *testing.T, ev any) {
			e := ev.(*github.PullRequestEvent)
			if e.GetInstallation().GetID() != testInstallation || e.GetPullRequest().GetHead().GetSHA() != pr.HeadSHA ||
				e.GetPullRequest().GetBase().GetRef() != "main" || e.GetNumber() != prNumber || e.GetRepo().GetOwner().GetLogin() != testOrg {
				t.Errorf("event = %+v", e)
			}
		}},
		{"pull_request synchronize", "pull_request", f.PullRequestEvent("synchronize", testOrg, "api", prNumber), "pull_request.synchronize.json", nil, func(t *testing.T, ev any) {
			e := ev.(*github.PullRequestEvent)
			if e.GetBefore() != pr.PreviousHeadSHA || e.GetAfter() != pr.HeadSHA || e.GetBefore() == "" {
				t.Errorf("before %s after %s", e.GetBefore(), e.GetAfter())
			}
		}},
		{"check_run requested_action", "check_run", f.RequestedActionEvent(testOrg, "api", runID, "fix"), "check_run.requested_action.json", nil, func(t *testing.T, ev any) {
			e := ev.(*github.CheckRunEvent)
			if e.GetCheckRun().GetID() != runID || e.GetCheckRun().GetHeadSHA() != pr.HeadSHA || e.GetCheckRun().GetCheckSuite().GetID() == 0 ||
				e.GetRequestedAction().Identifier != "fix" {
				t.Errorf("run = %+v, action %+v", e.GetCheckRun(), e.GetRequestedAction())
			}
		}},
		{"push", "push", f.PushEvent(testOrg, "api", "feature"), "push.6.json", nil, func(t *testing.T, ev any) {
			e := ev.(*github.PushEvent)
			if e.GetRef() != "refs/heads/feature" || e.GetAfter() != pr.HeadSHA || e.GetBefore() != pr.PreviousHeadSHA ||
				e.GetRepo().GetDefaultBranch() != "main" || len(e.Commits) != 1 || e.GetInstallation().GetID() != testInstallation {
				t.Errorf("push = ref %s before %s after %s commits %d", e.GetRef(), e.GetBefore(), e.GetAfter(), len(e.Commits))
			}
		}},
		{"installation created", "installation", f.InstallationEvent("created", testInstallation), "installation.created.json", nil, func(t *testing.T, ev any) {
			e := ev.(*github.InstallationEvent)
			if e.GetInstallation().GetID() != testInstallation || e.GetInstallation().GetAccount().GetLogin() != testOrg || len(e.Repositories) != 2 {
				t.Errorf("installation = %+v repos %d", e.GetInstallation(), len(e.Repositories))
			}
		}},
		{"repository renamed", "repository", f.RepositoryEvent("renamed", testOrg, "website"), "repository.renamed.json", nil, func(t *testing.T, ev any) {
			e := ev.(*github.RepositoryEvent)
			if e.GetRepo().GetName() != "website" || e.GetChanges().GetRepo().GetName().GetFrom() != "web" {
				t.Errorf("renamed = %+v", e.GetChanges())
			}
		}},
		{"issues edited", "issues", f.IssuesEvent("edited", testOrg, "api", issueNumber), "issues.edited.2.json", nil, func(t *testing.T, ev any) {
			e := ev.(*github.IssuesEvent)
			if e.GetIssue().GetNumber() != issueNumber || e.GetChanges().GetBody().GetFrom() != "- [ ] Re-scan all repositories now" {
				t.Errorf("issues = %+v", e.GetChanges())
			}
		}},
		// GitHub has no example of an app's ping; its repository hook ping has
		// a repository and URLs that an app hook lacks.
		{"ping", "ping", f.PingEvent(), "ping.2.json", []string{".repository", ".hook.url", ".hook.test_url", ".hook.ping_url"}, func(t *testing.T, ev any) {
			if ev.(*github.PingEvent).GetHook().GetID() == 0 {
				t.Error("no hook id")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := f.Webhook(tt.event, tt.payload)
			body, err := github.ValidatePayload(req, []byte(f.WebhookSecret))
			if err != nil {
				t.Fatalf("signature: %v", err)
			}
			ev, err := github.ParseWebHook(github.WebHookType(req), body)
			if err != nil {
				t.Fatalf("parse %s: %v", tt.event, err)
			}
			tt.check(t, ev)
			compareWithExample(t, body, tt.example, tt.ignore...)
		})
	}
}

// compareWithExample checks that every field of GitHub's example payload is present
// in ours (recursively, with the first element of arrays).
func compareWithExample(t *testing.T, ours []byte, example string, ignore ...string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(webhookExamples, example))
	if os.IsNotExist(err) {
		t.Logf("skipping the comparison with %s: the reference payloads are absent", example)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ours, &got); err != nil {
		t.Fatal(err)
	}
	var missing []string
	missingKeys(want, got, "", &missing)
	missing = slices.DeleteFunc(missing, func(m string) bool { return slices.Contains(ignore, m) })
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("fields of %s missing from the fake's payload: %v", example, missing)
	}
}

func missingKeys(want, got any, path string, out *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			if got != nil {
				*out = append(*out, path+" (not an object)")
			}
			return
		}
		if strings.HasSuffix(path, ".permissions") {
			return // which permissions an app has is its own configuration
		}
		for k, v := range w {
			gv, present := g[k]
			if !present {
				*out = append(*out, path+"."+k)
				continue
			}
			missingKeys(v, gv, path+"."+k, out)
		}
	case []any:
		g, ok := got.([]any)
		if ok && len(w) > 0 && len(g) > 0 {
			missingKeys(w[0], g[0], path+"[0]", out)
		}
	}
}
