package server

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

// The organisation's configuration before and after the pull request under test:
// docs.readme comes into force, catalog.owner goes, and a custom rule reading a
// file no bundled rule reads (OWNERS) arrives.
const (
	previewConfigBefore = "rules:\n  disable: [docs.readme]\n  severity:\n    catalog.owner: warning\n"
	previewConfigAfter  = "rules:\n  disable: [catalog.owner]\npolicies:\n  path: policies\n"
	previewOwnersRule   = `# METADATA
# title: Repositories list their owners in OWNERS
# custom:
#   aspect: operations
#   level: 1
#   severity: error
#   reads: ["OWNERS"]
package goldenpath.custom.owners

deny contains "no OWNERS file listing the owners" if not input.files.OWNERS.content
`
)

// previewServiceRequests counts the requests about the organisation's service
// repositories, by kind (trees, blobs, contents, other).
func previewServiceRequests(fake *githubfake.Fake) map[string]int {
	out := map[string]int{}
	for _, r := range fake.Requests() {
		if !strings.HasPrefix(r.Path, "/repos/acme/") || strings.HasPrefix(r.Path, "/repos/acme/.github/") {
			continue
		}
		kind := "other"
		for _, k := range []string{"/git/trees/", "/git/blobs/", "/contents/"} {
			if strings.Contains(r.Path, k) {
				kind = strings.Trim(k, "/")
			}
		}
		out[kind]++
	}
	return out
}

func TestConfigPullRequestPreviewsItsImpact(t *testing.T) {
	fake := githubfake.New(t)
	fake.AddInstallation(inst, org)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": previewConfigBefore})
	payments := map[string]string{"OWNERS": "team-payments\n"}
	for p, c := range goodFiles {
		payments[p] = c
	}
	fake.AddRepo(org, "payments")
	fake.Commit(org, "payments", "main", payments)
	fake.AddRepo(org, "ledger")
	fake.Commit(org, "ledger", "main", map[string]string{
		"README.md":         "# ledger\n",
		"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\nspec:\n  type: service\n  lifecycle: production\n",
	})
	fake.AddRepo(org, "web")
	fake.Commit(org, "web", "main", map[string]string{"index.html": "<html></html>\n"})

	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	if code := a.deliver(t, fake, "installation", "d-install", fake.InstallationEvent("created", inst)); code != 202 {
		t.Fatalf("installation event: %d", code)
	}
	waitFor(t, "the first sweep's report issue", 20*time.Second, func() bool { return len(fake.Issues(org, ".github")) == 1 })

	// A pull request to the config repository: its check shows what merging would do,
	// from the stored listings.
	fake.ResetRequests()
	fake.Commit(org, ".github", "tighten", map[string]string{"golden-path.yaml": previewConfigAfter, "policies/owners.rego": previewOwnersRule})
	fake.OpenPR(org, ".github", 2, "tighten", "main")
	a.deliver(t, fake, "pull_request", "d-pr", fake.PullRequestEvent("opened", org, ".github", 2))
	head := fake.PullRequest(org, ".github", 2).HeadSHA
	waitFor(t, "the config check", 20*time.Second, func() bool { return len(completedRuns(fake, ".github", head)) == 1 })
	run := completedRuns(fake, ".github", head)[0]
	if run.Conclusion != "success" || run.Title != "Configuration is valid" {
		t.Fatalf("config check: %s %q\n%s", run.Conclusion, run.Title, run.Summary)
	}
	for _, want := range []string{
		"Re-evaluated 3 repositories from their stored listings.",
		"- `catalog.owner` is no longer in force: 1 repository would pass\n",
		"- `custom.owners` (new, `error`): 2 repositories would fail\n",
		"- `docs.readme` (new, `warning`): 2 repositories would fail\n",
		"- `catalog.owner` would pass: `ledger`\n",
		"- `docs.readme` would fail: `ledger`, `web`\n",
	} {
		if !strings.Contains(run.Summary, want) {
			t.Errorf("config check summary lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("summary:\n%s", run.Summary)
	}
	// No tree of a service repository is listed again; the only blob fetched is the
	// one file the new rule reads that nothing read before.
	if got := previewServiceRequests(fake); len(got) != 1 || got["git/blobs"] != 1 {
		t.Fatalf("requests about service repositories: %v, want only 1 blob (payments' OWNERS)", got)
	}

	// Merged: the sweep re-evaluates every repository from its stored listing, and
	// the blob the preview fetched comes from the cache.
	fake.ResetRequests()
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": previewConfigAfter, "policies/owners.rego": previewOwnersRule})
	a.deliver(t, fake, "push", "d-push", fake.PushEvent(org, ".github", "main"))
	waitFor(t, "the report to follow the new configuration", 20*time.Second, func() bool {
		is := fake.Issues(org, ".github")
		return len(is) == 1 && strings.Contains(is[0].Body, "custom.owners")
	})
	if got := previewServiceRequests(fake); len(got) != 0 {
		t.Fatalf("requests about service repositories after the config change: %v, want none", got)
	}
}

func TestConfigPullRequestWithProblemsFails(t *testing.T) {
	fake := newOrg(t, "advisory")
	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	tests := []struct {
		name  string
		files map[string]string
		path  string
		line  int
	}{
		{"broken YAML", map[string]string{"golden-path.yaml": "enforcement: advisory\nrules:\n  disable: [a\n"}, "golden-path.yaml", 3},
		{"unknown key", map[string]string{"golden-path.yaml": "enforcement: advisory\nthresold: 0.5\n"}, "golden-path.yaml", 2},
		{"misspelt rule ID", map[string]string{"golden-path.yaml": "rules:\n  severity:\n    docs.readme: error\n  disable:\n    - catalog.ownr\n"}, "golden-path.yaml", 5},
		{"custom rule does not compile", map[string]string{
			"golden-path.yaml": "policies:\n  path: policies\n",
			"policies/x.rego":  "# METADATA\n# title: x\npackage goldenpath.custom.x\n\ndeny contains msg if {\n\tmsg := \n}\n",
		}, "policies/x.rego", 7},
	}
	for i, tt := range tests {
		number := 10 + i
		branch := "change-" + string(rune('a'+i))
		fake.Commit(org, ".github", branch, tt.files)
		fake.OpenPR(org, ".github", number, branch, "main")
		a.deliver(t, fake, "pull_request", "d-"+branch, fake.PullRequestEvent("opened", org, ".github", number))
		head := fake.PullRequest(org, ".github", number).HeadSHA
		waitFor(t, tt.name+": the config check", 20*time.Second, func() bool { return len(completedRuns(fake, ".github", head)) == 1 })
		run := completedRuns(fake, ".github", head)[0]
		if run.Conclusion != "failure" || len(run.Annotations) == 0 {
			t.Errorf("%s: %s %q with %d annotations, want a failure pointing at the line\n%s", tt.name, run.Conclusion, run.Title, len(run.Annotations), run.Summary)
			continue
		}
		if an := run.Annotations[0]; an.Path != tt.path || an.StartLine != tt.line {
			t.Errorf("%s: annotation at %s:%d, want %s:%d (%s)", tt.name, an.Path, an.StartLine, tt.path, tt.line, an.Message)
		}
	}
}

// Raising a rule to error and switching to blocking changes no pass/fail outcome,
// but it turns checks: the preview says whose and how.
func TestConfigPullRequestPreviewsEnforcement(t *testing.T) {
	fake := githubfake.New(t)
	fake.AddInstallation(inst, org)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": "rules:\n  severity:\n    catalog.owner: warning\n"})
	fake.AddRepo(org, "payments")
	fake.Commit(org, "payments", "main", goodFiles)
	fake.AddRepo(org, "ledger")
	fake.Commit(org, "ledger", "main", map[string]string{
		"README.md":         "# ledger\n",
		"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\nspec:\n  type: service\n  lifecycle: production\n",
	})

	a := startApp(t, fake, filepath.Join(t.TempDir(), "gp.db"))
	a.deliver(t, fake, "installation", "d-install", fake.InstallationEvent("created", inst))
	waitFor(t, "the first sweep's report issue", 20*time.Second, func() bool { return len(fake.Issues(org, ".github")) == 1 })

	fake.Commit(org, ".github", "block", map[string]string{"golden-path.yaml": "enforcement: blocking\nrules:\n  severity:\n    catalog.owner: error\n"})
	fake.OpenPR(org, ".github", 2, "block", "main")
	a.deliver(t, fake, "pull_request", "d-pr", fake.PullRequestEvent("opened", org, ".github", 2))
	head := fake.PullRequest(org, ".github", 2).HeadSHA
	waitFor(t, "the config check", 20*time.Second, func() bool { return len(completedRuns(fake, ".github", head)) == 1 })
	run := completedRuns(fake, ".github", head)[0]
	for _, want := range []string{
		"- `enforcement` becomes `blocking`: ",
		"- `catalog.owner` becomes `error`: 1 repository fails it, now at `error`: 1 repository's check goes from neutral to failure\n",
		"**Checks:** ",
		"- `catalog.owner` fails, now at `error`: `ledger`\n",
	} {
		if !strings.Contains(run.Summary, want) {
			t.Errorf("config check summary lacks %q", want)
		}
	}
	if strings.Contains(run.Summary, "No repository would change outcome") {
		t.Errorf("the preview says nothing changes")
	}
	if t.Failed() {
		t.Fatalf("summary:\n%s", run.Summary)
	}
}
