package githubfake_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

// writer is the world with contents and pull requests writable, as setup --fixes asks.
func writer(t *testing.T) (*world, *github.Client) {
	w := newWorld(t)
	perms := githubfake.DefaultPermissions()
	perms["contents"], perms["pull_requests"] = "write", "write"
	w.fake.SetInstallationPermissions(testInstallation, perms)
	return w, installationClient(t, w.fake, testInstallation)
}

func status(err error) int {
	var e *github.ErrorResponse
	if errors.As(err, &e) {
		return e.Response.StatusCode
	}
	return 0
}

func message(err error) string {
	var e *github.ErrorResponse
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// A branch pushed through the Git data API (inline content on a base tree, a
// commit, a ref) and a pull request from it, as GitHub answers each step.
func TestGitDataPushAndPullRequest(t *testing.T) {
	w, gh := writer(t)
	ctx := t.Context()
	base, _, err := gh.Git.GetCommit(ctx, testOrg, "api", w.head)
	if err != nil {
		t.Fatal(err)
	}
	tree, resp, err := gh.Git.CreateTree(ctx, testOrg, "api", base.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("SECURITY.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("# Security\n")},
		{Path: github.String("docs/runbook.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("# Runbook\n")},
	})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create tree: %v", err)
	}
	commit, _, err := gh.Git.CreateCommit(ctx, testOrg, "api", &github.Commit{
		Message: github.String("Add files"), Tree: &github.Tree{SHA: tree.SHA}, Parents: []*github.Commit{{SHA: github.String(w.head)}},
	}, nil)
	if err != nil {
		t.Fatalf("create commit: %v", err)
	}
	if got := commit.GetAuthor().GetName(); got != w.fake.BotLogin() {
		t.Errorf("commit author = %q, want the app's bot", got)
	}
	ref := &github.Reference{Ref: github.String("refs/heads/golden-path/fixes"), Object: &github.GitObject{SHA: commit.SHA}}
	if _, _, err := gh.Git.CreateRef(ctx, testOrg, "api", ref); err != nil {
		t.Fatalf("create ref: %v", err)
	}
	if _, _, err := gh.Git.CreateRef(ctx, testOrg, "api", ref); status(err) != 422 || message(err) != "Reference already exists" {
		t.Errorf("second create ref = %v, want 422 Reference already exists", err)
	}
	files := w.fake.Files(testOrg, "api", "golden-path/fixes")
	if files["SECURITY.md"] != "# Security\n" || files["docs/runbook.md"] != "# Runbook\n" || files["docs/adr/0001.md"] != "decision\n" || files["README.md"] != "# api\n" {
		t.Errorf("branch files = %v", files)
	}

	pr, _, err := gh.PullRequests.Create(ctx, testOrg, "api", &github.NewPullRequest{
		Title: github.String("Add files"), Head: github.String("golden-path/fixes"), Base: github.String("main"), Body: github.String("body"),
	})
	if err != nil {
		t.Fatalf("create pull: %v", err)
	}
	if pr.GetUser().GetLogin() != w.fake.BotLogin() || pr.GetHead().GetSHA() != commit.GetSHA() || pr.GetChangedFiles() != 2 {
		t.Errorf("pull = author %s head %s changed %d", pr.GetUser().GetLogin(), pr.GetHead().GetSHA(), pr.GetChangedFiles())
	}
	if _, _, err := gh.PullRequests.Create(ctx, testOrg, "api", &github.NewPullRequest{
		Title: github.String("Again"), Head: github.String(testOrg + ":golden-path/fixes"), Base: github.String("main"),
	}); status(err) != 422 {
		t.Errorf("second pull = %v, want 422", err)
	}

	// A person's commit on the branch: a non-fast-forward update needs force.
	human := w.fake.Commit(testOrg, "api", "golden-path/fixes", map[string]string{"SECURITY.md": "mine\n"})
	_, _, err = gh.Git.UpdateRef(ctx, testOrg, "api", &github.Reference{Ref: github.String("heads/golden-path/fixes"), Object: &github.GitObject{SHA: commit.SHA}}, false)
	if status(err) != 422 || message(err) != "Update is not a fast forward" {
		t.Errorf("update ref over a newer commit = %v, want 422 not a fast forward", err)
	}
	if got := w.fake.PullRequest(testOrg, "api", pr.GetNumber()).HeadSHA; got != human {
		t.Errorf("head after refused update = %s, want the person's %s", got, human)
	}
	next, _, err := gh.Git.CreateCommit(ctx, testOrg, "api", &github.Commit{
		Message: github.String("More"), Tree: &github.Tree{SHA: tree.SHA}, Parents: []*github.Commit{{SHA: github.String(human)}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Git.UpdateRef(ctx, testOrg, "api", &github.Reference{Ref: github.String("heads/golden-path/fixes"), Object: &github.GitObject{SHA: next.SHA}}, false); err != nil {
		t.Errorf("fast-forward update: %v", err)
	}

	closed, _, err := gh.PullRequests.Edit(ctx, testOrg, "api", pr.GetNumber(), &github.PullRequest{Body: github.String("new body"), State: github.String("closed")})
	if err != nil || closed.GetState() != "closed" || closed.GetBody() != "new body" {
		t.Errorf("close pull = %v, %v", closed.GetState(), err)
	}
	if _, err := gh.Git.DeleteRef(ctx, testOrg, "api", "heads/golden-path/fixes"); err != nil {
		t.Errorf("delete ref: %v", err)
	}
	if _, err := gh.Git.DeleteRef(ctx, testOrg, "api", "heads/golden-path/fixes"); status(err) != 422 {
		t.Errorf("delete a missing ref = %v, want 422", err)
	}
}

// Without contents and pull_requests write (the default installation), every
// write answers GitHub's 403 for a missing permission.
func TestGitDataWritesNeedPermissions(t *testing.T) {
	w := newWorld(t)
	gh := installationClient(t, w.fake, testInstallation)
	ctx := t.Context()
	_, _, err := gh.Git.CreateTree(ctx, testOrg, "api", "", []*github.TreeEntry{
		{Path: github.String("a"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("a")},
	})
	if status(err) != 403 || message(err) != "Resource not accessible by integration" {
		t.Errorf("create tree = %v, want 403", err)
	}
	_, _, err = gh.Git.CreateRef(ctx, testOrg, "api", &github.Reference{Ref: github.String("refs/heads/x"), Object: &github.GitObject{SHA: github.String(w.head)}})
	if status(err) != 403 {
		t.Errorf("create ref = %v, want 403", err)
	}
	w.fake.Commit(testOrg, "api", "feature", map[string]string{"x": "y"})
	_, _, err = gh.PullRequests.Create(ctx, testOrg, "api", &github.NewPullRequest{Title: github.String("x"), Head: github.String("feature"), Base: github.String("main")})
	if status(err) != 403 {
		t.Errorf("create pull = %v, want 403", err)
	}
	perms := githubfake.DefaultPermissions()
	perms["pull_requests"] = "write"
	w.fake.SetInstallationPermissions(testInstallation, perms)
	if _, _, err := gh.PullRequests.Create(ctx, testOrg, "api", &github.NewPullRequest{Title: github.String("x"), Head: github.String("feature"), Base: github.String("main")}); err != nil {
		t.Errorf("create pull once granted: %v", err)
	}
	insts, _, err := appClient(t, w.fake).Apps.ListInstallations(ctx, nil)
	if err != nil || len(insts) != 1 || insts[0].GetPermissions().GetPullRequests() != "write" || insts[0].GetPermissions().GetContents() != "read" {
		t.Errorf("installations = %+v, %v", insts, err)
	}
}
