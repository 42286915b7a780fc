package webhook

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/webhook/plan"
)

// realPayloads are GitHub's own webhook examples (shared test data).
const realPayloads = "../../../shared/ref/github/webhooks"

func kinds(js []river.JobArgs) string {
	out := ""
	for _, j := range js {
		out += j.Kind() + " "
	}
	return out
}

func TestRouteRealPayloads(t *testing.T) {
	if _, err := os.Stat(realPayloads); err != nil {
		t.Skipf("GitHub's webhook examples not found at %s (../shared is absent)", realPayloads)
	}
	tests := []struct {
		file, event string
		jobs        string
		pullHead    bool
	}{
		{"pull_request.opened.json", "pull_request", "evaluate_pull ", true},
		{"pull_request.reopened.json", "pull_request", "evaluate_pull ", true},
		{"pull_request.synchronize.json", "pull_request", "evaluate_pull ", true},
		{"pull_request.closed.json", "pull_request", "", false},
		{"pull_request.ready_for_review.2.json", "pull_request", "", false},
		{"check_suite.requested.json", "check_suite", "evaluate_pull ", false},
		{"check_suite.rerequested.json", "check_suite", "evaluate_pull ", false},
		{"check_suite.completed.json", "check_suite", "", false},
		{"check_run.rerequested.json", "check_run", "evaluate_pull ", false},
		{"check_run.created.json", "check_run", "", false},
		{"push.4.json", "push", "evaluate_branch ", false},
		{"push.3.json", "push", "", false}, // a tag
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join(realPayloads, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := route(tt.event, "d", payload, ".github")
			if err != nil {
				t.Fatal(err)
			}
			if kinds(p.Jobs) != tt.jobs || (p.PullHead != nil) != tt.pullHead {
				t.Fatalf("jobs %q pull head %v, want %q %v", kinds(p.Jobs), p.PullHead, tt.jobs, tt.pullHead)
			}
			for _, j := range p.Jobs {
				if a, ok := j.(jobargs.PullArgs); ok && (a.InstallationID == 0 || a.RepoID == 0 || a.HeadSHA == "" || a.Owner == "") {
					t.Fatalf("incomplete job %+v", a)
				}
			}
		})
	}
}

func TestRoute(t *testing.T) {
	repo := `"repository": {"id": 9, "name": "%s", "owner": {"login": "acme"}, "default_branch": "main"}, "installation": {"id": 5}`
	pr := func(action, extra string) string {
		return fmt.Sprintf(`{"action": %q, "number": 3, "pull_request": {"number": 3, "head": {"sha": "h1"}, "base": {"sha": "b1"}}, %s%s}`, action, fmt.Sprintf(repo, "api"), extra)
	}
	tests := []struct {
		name, event, payload string
		jobs                 string
		bad                  bool
	}{
		{"opened", "pull_request", pr("opened", ""), "evaluate_pull ", false},
		{"title edited", "pull_request", pr("edited", `, "changes": {"title": {"from": "x"}}`), "", false},
		{"base edited", "pull_request", pr("edited", `, "changes": {"base": {"ref": {"from": "dev"}, "sha": {"from": "b0"}}}`), "evaluate_pull ", false},
		{"labeled", "pull_request", pr("labeled", ""), "", false},
		{"no installation", "pull_request", `{"action": "opened", "pull_request": {"number": 3, "head": {"sha": "h"}}, "repository": {"id": 9}}`, "", true},
		{"not JSON", "pull_request", `{"action": "opened"`, "", true},
		{"wrong types", "pull_request", `{"action": 7}`, "", true},
		{"default branch push", "push", fmt.Sprintf(`{"ref": "refs/heads/main", "after": "a1", %s}`, fmt.Sprintf(repo, "api")), "evaluate_branch ", false},
		{"other branch push", "push", fmt.Sprintf(`{"ref": "refs/heads/dev", "after": "a1", %s}`, fmt.Sprintf(repo, "api")), "", false},
		{"branch deleted", "push", fmt.Sprintf(`{"ref": "refs/heads/main", "deleted": true, "after": "0000", %s}`, fmt.Sprintf(repo, "api")), "", false},
		{"config repository push", "push", fmt.Sprintf(`{"ref": "refs/heads/main", "after": "a1", %s}`, fmt.Sprintf(repo, ".github")), "sweep ", false},
		{"fork pull request re-run", "check_run", fmt.Sprintf(`{"action": "rerequested", "check_run": {"head_sha": "h2", "check_suite": {"pull_requests": []}}, %s}`, fmt.Sprintf(repo, "api")), "evaluate_pull ", false},
		{"fix it for me", "check_run", fmt.Sprintf(`{"action": "requested_action", "requested_action": {"identifier": "fix"}, "check_run": {"head_sha": "h2", "check_suite": {"pull_requests": []}}, %s}`, fmt.Sprintf(repo, "api")), "fix_pull_request ", false},
		{"another button", "check_run", fmt.Sprintf(`{"action": "requested_action", "requested_action": {"identifier": "other"}, "check_run": {"head_sha": "h2", "check_suite": {"pull_requests": []}}, %s}`, fmt.Sprintf(repo, "api")), "", false},
		{"unrouted event", "star", `{"action": "created"}`, "", false},
		{"installation created", "installation", `{"action": "created", "installation": {"id": 5, "account": {"login": "acme"}}}`, "sweep ", false},
		{"installation deleted", "installation", `{"action": "deleted", "installation": {"id": 5, "account": {"login": "acme"}}}`, "repository_changed ", false},
		{"installation suspended", "installation", `{"action": "suspend", "installation": {"id": 5, "account": {"login": "acme"}}}`, "", false},
		{"installation without account", "installation", `{"action": "created", "installation": {"id": 5}}`, "", true},
		{"repositories added", "installation_repositories", `{"action": "added", "installation": {"id": 5, "account": {"login": "acme"}}}`, "sweep ", false},
		{"repository renamed", "repository", fmt.Sprintf(`{"action": "renamed", %s}`, fmt.Sprintf(repo, "api2")), "repository_changed ", false},
		{"repository archived", "repository", fmt.Sprintf(`{"action": "archived", %s}`, fmt.Sprintf(repo, "api")), "repository_changed ", false},
		{"repository created", "repository", fmt.Sprintf(`{"action": "created", %s}`, fmt.Sprintf(repo, "api")), "sweep ", false},
		{"repository publicized", "repository", fmt.Sprintf(`{"action": "publicized", %s}`, fmt.Sprintf(repo, "api")), "", false},
		{"re-scan ticked", "issues", fmt.Sprintf(`{"action": "edited", "issue": {"body": "<!-- goldenpath:report -->\n- [x] Re-scan all repositories now", "user": {"type": "Bot"}}, %s}`, fmt.Sprintf(repo, ".github")), "sweep ", false},
		{"fix box ticked", "issues", fmt.Sprintf(`{"action": "edited", "issue": {"body": "<!-- goldenpath:report -->\n- [ ] Re-scan all repositories now\n- [x] Open fix pull requests for web's 12 repositories\n- [ ] Open fix pull requests for api's 1 repository", "user": {"type": "Bot"}}, %s}`, fmt.Sprintf(repo, ".github")), "fix_team ", false},
		{"re-scan not ticked", "issues", fmt.Sprintf(`{"action": "edited", "issue": {"body": "<!-- goldenpath:report -->\n- [ ] Re-scan all repositories now", "user": {"type": "Bot"}}, %s}`, fmt.Sprintf(repo, ".github")), "", false},
		{"someone else's issue", "issues", fmt.Sprintf(`{"action": "edited", "issue": {"body": "<!-- goldenpath:report -->\n- [x] Re-scan all repositories now", "user": {"type": "User"}}, %s}`, fmt.Sprintf(repo, ".github")), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := route(tt.event, "d", []byte(tt.payload), ".github")
			var pe *PayloadError
			if tt.bad != errors.As(err, &pe) {
				t.Fatalf("error %v, want payload error %v", err, tt.bad)
			}
			if kinds(p.Jobs) != tt.jobs {
				t.Fatalf("jobs %q, want %q", kinds(p.Jobs), tt.jobs)
			}
		})
	}
}

// Events of the app's fix pull request are remembered, so that the next update
// reads it again when a person closed it or pushed to it; a fork's branch of
// the same name is not the app's.
func TestRouteFixPull(t *testing.T) {
	event := func(action, state, ref string, headRepo int) string {
		return fmt.Sprintf(`{"action": %q, "number": 3, "pull_request": {"number": 3, "state": %q, "head": {"sha": "h1", "ref": %q, "repo": {"id": %d}}, "base": {"sha": "b1"}},
			"repository": {"id": 9, "name": "api", "owner": {"login": "acme"}, "default_branch": "main"}, "installation": {"id": 5}}`, action, state, ref, headRepo)
	}
	tests := []struct {
		name, payload string
		jobs          string
		fix           *plan.FixPull // nil: nothing remembered
	}{
		{"closed", event("closed", "closed", "golden-path/fixes", 9), "", &plan.FixPull{PullHead: plan.PullHead{RepoID: 9, Number: 3, SHA: "h1"}, Open: false}},
		{"pushed to", event("synchronize", "open", "golden-path/fixes", 9), "evaluate_pull ", &plan.FixPull{PullHead: plan.PullHead{RepoID: 9, Number: 3, SHA: "h1"}, Open: true}},
		{"reopened", event("reopened", "open", "golden-path/fixes", 9), "evaluate_pull ", &plan.FixPull{PullHead: plan.PullHead{RepoID: 9, Number: 3, SHA: "h1"}, Open: true}},
		{"a fork's branch of that name", event("closed", "closed", "golden-path/fixes", 77), "", nil},
		{"another pull request closed", event("closed", "closed", "feature", 9), "", nil},
		{"another pull request opened", event("opened", "open", "feature", 9), "evaluate_pull ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := route("pull_request", "d", []byte(tt.payload), ".github")
			if err != nil {
				t.Fatal(err)
			}
			if kinds(p.Jobs) != tt.jobs {
				t.Errorf("jobs %q, want %q", kinds(p.Jobs), tt.jobs)
			}
			if (p.FixPull == nil) != (tt.fix == nil) || p.FixPull != nil && *p.FixPull != *tt.fix {
				t.Errorf("fix pull request %+v, want %+v", p.FixPull, tt.fix)
			}
		})
	}
}
