package server

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/fixpr"
	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/jobs"
)

// fixOrg is newOrg with fixes enabled and an owner for generated files;
// writable grants what `goldenpath setup --fixes` asks.
func fixOrg(t *testing.T, writable bool) *githubfake.Fake {
	fake := newOrg(t, "advisory")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": fmt.Sprintf(orgConfig, "advisory") +
		"fixes:\n  enabled: true\n  owner: group:payments-team\n"})
	if writable {
		perms := githubfake.DefaultPermissions()
		perms["contents"], perms["pull_requests"] = "write", "write"
		fake.SetInstallationPermissions(inst, perms)
	}
	return fake
}

// pressFix evaluates pull request 1 and presses its check run's "Fix it for me".
func pressFix(t *testing.T, a *app, fake *githubfake.Fake, delivery string) {
	t.Helper()
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	if len(completedRuns(fake, "payments", head)) == 0 {
		a.deliver(t, fake, "pull_request", delivery+"-pr", fake.PullRequestEvent("opened", org, "payments", 1))
		waitFor(t, "the check run", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
	}
	run := completedRuns(fake, "payments", head)[0]
	if len(run.Actions) != 1 || run.Actions[0].Label != "Fix it for me" {
		t.Fatalf("check run actions = %+v, want the fix button", run.Actions)
	}
	if code := a.deliver(t, fake, "check_run", delivery, fake.RequestedActionEvent(org, "payments", run.ID, "fix")); code != http.StatusAccepted {
		t.Fatalf("requested_action: status %d", code)
	}
}

func fixPulls(fake *githubfake.Fake) []githubfake.PullRequest {
	var out []githubfake.PullRequest
	for _, pr := range fake.PullRequests(org, "payments") {
		if pr.HeadRef == fixpr.Branch {
			out = append(out, pr)
		}
	}
	return out
}

func TestFixItForMe(t *testing.T) {
	fake := fixOrg(t, true)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	pressFix(t, a, fake, "d-1")
	waitFor(t, "the fix pull request", 15*time.Second, func() bool { return len(fixPulls(fake)) == 1 })
	pr := fixPulls(fake)[0]
	if pr.Title != fixpr.Title || !strings.Contains(pr.Body, fixpr.Marker) || pr.BaseRef != "main" || pr.Author != fake.BotLogin() {
		t.Fatalf("fix pull request = %+v", pr)
	}
	files := fake.Files(org, "payments", fixpr.Branch)
	for _, p := range []string{"catalog-info.yaml", ".github/CODEOWNERS", "README.md"} {
		if files[p] == "" {
			t.Errorf("the fix branch lacks %s", p)
		}
	}
	if files["README.md"] != "# payments\n" {
		t.Errorf("an existing file was changed: README.md = %q", files["README.md"])
	}
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the fix check run", 5*time.Second, func() bool { return len(fake.CompletedCheckRuns(org, "payments", head)) == 2 })

	// The fix pull request's own check: the rules it fixes pass, no button.
	a.deliver(t, fake, "pull_request", "d-2", fake.PullRequestEvent("opened", org, "payments", pr.Number))
	waitFor(t, "the fix pull request's check", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", pr.HeadSHA)) == 1 })
	own := completedRuns(fake, "payments", pr.HeadSHA)[0]
	// docs.readme still fails: the README exists and only a person can say more in it.
	if own.Title != "2 of 3 golden-path rules pass" || len(own.Actions) != 0 ||
		strings.Contains(own.Text, "catalog.present") || strings.Contains(own.Text, "ownership.codeowners") || !strings.Contains(own.Text, "docs.readme") {
		t.Errorf("the fix pull request's check = %s %q actions %v", own.Conclusion, own.Title, own.Actions)
	}

	// A second press: the same pull request, nothing pushed.
	pressFix(t, a, fake, "d-3")
	waitFor(t, "the second fix check run", 10*time.Second, func() bool { return len(fake.CompletedCheckRuns(org, "payments", head)) == 3 })
	if prs := fixPulls(fake); len(prs) != 1 || prs[0].HeadSHA != pr.HeadSHA {
		t.Errorf("after a second press: %+v", prs)
	}

	// A person closes it: a press never brings it back.
	fake.ClosePR(org, "payments", pr.Number)
	a.deliver(t, fake, "pull_request", "d-close", fake.PullRequestEvent("closed", org, "payments", pr.Number))
	pressFix(t, a, fake, "d-4")
	waitFor(t, "the third fix check run", 10*time.Second, func() bool { return len(fake.CompletedCheckRuns(org, "payments", head)) == 4 })
	if prs := fixPulls(fake); len(prs) != 1 || prs[0].State != "closed" {
		t.Errorf("after a person closed it: %+v", prs)
	}
}

func TestFixItForMeWithoutPermission(t *testing.T) {
	fake := fixOrg(t, false)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	pressFix(t, a, fake, "d-1")
	head := fake.PullRequest(org, "payments", 1).HeadSHA
	waitFor(t, "the fix check run", 15*time.Second, func() bool { return len(fake.CompletedCheckRuns(org, "payments", head)) == 2 })
	var told githubfake.CheckRun
	for _, r := range fake.CompletedCheckRuns(org, "payments", head) {
		if r.Name == jobs.FixCheckName {
			told = r
		}
	}
	if told.Conclusion != "neutral" || !strings.Contains(told.Summary, "contents: write") || !strings.Contains(told.Summary, "goldenpath setup --fixes") {
		t.Errorf("fix check run = %s %q: %s", told.Conclusion, told.Title, told.Summary)
	}
	time.Sleep(500 * time.Millisecond) // a retry would show by now
	if n := fake.CountRequests(githubfake.RequestFilter{Status: http.StatusForbidden}); n != 1 {
		t.Errorf("%d refused requests, want 1: a missing permission is not retried", n)
	}
	if len(fixPulls(fake)) != 0 {
		t.Error("a pull request was opened without the permission")
	}
}

// The button appears only when the org's fixes configuration lets the app fix a
// failing rule, and the fix pull request holds only the allowed rules' files,
// from the org's templates.
func TestFixButtonFollowsFixesConfig(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fixes  string
		button bool
		files  map[string]string // on the fix branch; "" = absent
	}{
		{name: "only the catalog allowed", fixes: "  rules: [catalog.present]\n", button: true,
			files: map[string]string{"catalog-info.yaml": "owner: group:payments-team", ".github/CODEOWNERS": ""}},
		{name: "only an unfixable rule allowed", fixes: "  rules: [docs.readme]\n"},
		{name: "the org's template", button: true,
			fixes: "  rules: [ownership.codeowners]\n  templates:\n    .github/CODEOWNERS: templates/CODEOWNERS\n",
			files: map[string]string{".github/CODEOWNERS": "* @acme/custom-owners # payments", "catalog-info.yaml": ""}},
		{name: "an org template that cannot be filled", fixes: "  templates:\n    .github/CODEOWNERS: templates/broken\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := fixOrg(t, true)
			fake.Commit(org, ".github", "main", map[string]string{
				"golden-path.yaml":     fmt.Sprintf(orgConfig, "advisory") + "fixes:\n  enabled: true\n  owner: group:payments-team\n" + tc.fixes,
				"templates/CODEOWNERS": "* @acme/custom-owners # {{.Name}}\n",
				"templates/broken":     "* {{.NoSuchFact}}\n",
			})
			a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
			head := fake.PullRequest(org, "payments", 1).HeadSHA
			a.deliver(t, fake, "pull_request", "d-pr", fake.PullRequestEvent("opened", org, "payments", 1))
			waitFor(t, "the check run", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head)) == 1 })
			if got := len(completedRuns(fake, "payments", head)[0].Actions) == 1; got != tc.button {
				t.Fatalf("button offered = %v, want %v", got, tc.button)
			}
			if !tc.button {
				return
			}
			pressFix(t, a, fake, "d-1")
			waitFor(t, "the fix pull request", 15*time.Second, func() bool { return len(fixPulls(fake)) == 1 })
			branch := fake.Files(org, "payments", fixpr.Branch)
			for p, want := range tc.files {
				if got := branch[p]; (want == "") != (got == "") || !strings.Contains(got, want) {
					t.Errorf("%s on the fix branch = %q, want %q", p, got, want)
				}
			}
		})
	}
}
