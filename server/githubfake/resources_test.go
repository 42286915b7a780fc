package githubfake_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

func annotations(n int) []*github.CheckRunAnnotation {
	out := make([]*github.CheckRunAnnotation, n)
	for i := range out {
		out[i] = &github.CheckRunAnnotation{
			Path: github.String("README.md"), StartLine: github.Int(1), EndLine: github.Int(1),
			AnnotationLevel: github.String("warning"), Message: github.String(fmt.Sprintf("finding %d", i)),
		}
	}
	return out
}

func TestCheckRunValidation(t *testing.T) {
	w := newWorld(t)
	client := installationClient(t, w.fake, testInstallation)
	tests := []struct {
		name        string
		opts        github.CreateCheckRunOptions
		wantStatus  int
		wantMessage string
	}{
		{"minimal", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head}, 201, ""},
		{"completed with conclusion", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head, Status: github.String("completed"), Conclusion: github.String("neutral"),
			Output: &github.CheckRunOutput{Title: github.String("3 of 4 golden-path rules pass"), Summary: github.String("s"), Annotations: annotations(50)}}, 201, ""},
		{"51 annotations", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head,
			Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: annotations(51)}}, 422, "No more than 50 items are allowed; 51 were supplied."},
		{"summary too long", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head,
			Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String(strings.Repeat("x", 65536))}}, 422, "Only 65535 characters are allowed; 65536 were supplied."},
		{"text too long", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head,
			Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Text: github.String(strings.Repeat("é", 65536))}}, 422, "Only 65535 characters"},
		{"summary at the limit", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head,
			Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String(strings.Repeat("x", 65535))}}, 201, ""},
		{"completed without conclusion", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head, Status: github.String("completed")}, 422, `"conclusion" wasn't supplied.`},
		{"bad conclusion", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head, Conclusion: github.String("great")}, 422, "is not one of"},
		{"unknown commit", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: strings.Repeat("a", 40)}, 422, "No commit found for SHA"},
		{"output without summary", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: w.head, Output: &github.CheckRunOutput{Title: github.String("t")}}, 422, `"summary" wasn't supplied.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, resp, err := client.Checks.CreateCheckRun(ctx, testOrg, "api", tt.opts)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", resp.StatusCode, tt.wantStatus, err)
			}
			if tt.wantMessage != "" {
				var er *github.ErrorResponse
				if !errors.As(err, &er) || !strings.Contains(er.Message, tt.wantMessage) {
					t.Errorf("error = %v, want message containing %q", err, tt.wantMessage)
				}
				return
			}
			if run.GetApp().GetID() != w.fake.AppID || run.GetCheckSuite().GetID() == 0 || run.GetHeadSHA() != w.head {
				t.Errorf("run = %+v", run)
			}
			if tt.opts.Conclusion != nil && (run.GetStatus() != "completed" || run.CompletedAt == nil) {
				t.Errorf("a conclusion completes the run: %+v", run)
			}
		})
	}
}

func TestCheckRunAnnotationsAccumulateAcrossUpdates(t *testing.T) {
	w := newWorld(t)
	client := installationClient(t, w.fake, testInstallation)
	run, _, err := client.Checks.CreateCheckRun(ctx, testOrg, "api", github.CreateCheckRunOptions{
		Name: "Golden Path", HeadSHA: w.head, Status: github.String("in_progress"),
		Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: annotations(50)},
	})
	if err != nil {
		t.Fatal(err)
	}
	run, _, err = client.Checks.UpdateCheckRun(ctx, testOrg, "api", run.GetID(), github.UpdateCheckRunOptions{
		Name: "Golden Path", Conclusion: github.String("failure"),
		Output: &github.CheckRunOutput{Title: github.String("1 of 2 golden-path rules pass"), Summary: github.String("s2"), Annotations: annotations(20)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if run.GetOutput().GetAnnotationsCount() != 70 || run.GetStatus() != "completed" || run.GetConclusion() != "failure" {
		t.Errorf("after update: %+v", run)
	}
	runs := w.fake.CheckRuns(testOrg, "api")
	if len(runs) != 1 || len(runs[0].Annotations) != 70 || runs[0].Title != "1 of 2 golden-path rules pass" || runs[0].Updates != 1 {
		t.Errorf("CheckRuns = %+v", runs)
	}
}

func TestIssues(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	client := installationClient(t, f, testInstallation)
	f.AddIssue(testOrg, "api", githubfake.Issue{Title: "human bug", Labels: []string{"bug"}})
	report, _, err := client.Issues.Create(ctx, testOrg, "api", &github.IssueRequest{
		Title: github.String("Golden Path adoption report"), Body: github.String("<!-- goldenpath:report -->\n- [ ] Re-scan all repositories now"),
		Labels: &[]string{"golden-path"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if report.GetUser().GetLogin() != f.BotLogin() || report.GetUser().GetType() != "Bot" || report.GetNumber() != 2 {
		t.Errorf("created issue = %+v", report)
	}
	f.AddIssue(testOrg, "api", githubfake.Issue{Title: "old", State: "closed"})
	f.OpenPR(testOrg, "api", 0, "main", "main")

	tests := []struct {
		name string
		opts github.IssueListByRepoOptions
		want []int
	}{
		{"open by default, newest first, pull requests included", github.IssueListByRepoOptions{}, []int{4, 2, 1}},
		{"closed", github.IssueListByRepoOptions{State: "closed"}, []int{3}},
		{"all ascending", github.IssueListByRepoOptions{State: "all", Direction: "asc"}, []int{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, _, err := client.Issues.ListByRepo(ctx, testOrg, "api", &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, is := range list {
				got = append(got, is.GetNumber())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("numbers = %v, want %v", got, tt.want)
			}
		})
	}

	tooLong := strings.Repeat("x", 65537)
	if _, resp, err := client.Issues.Edit(ctx, testOrg, "api", 2, &github.IssueRequest{Body: &tooLong}); resp.StatusCode != 422 || !strings.Contains(err.Error(), "body is too long (maximum is 65536 characters)") {
		t.Errorf("long body: %v", err)
	}
	atLimit := strings.Repeat("x", 65536)
	if _, _, err := client.Issues.Edit(ctx, testOrg, "api", 2, &github.IssueRequest{Body: &atLimit}); err != nil {
		t.Errorf("body at the limit: %v", err)
	}
	if _, resp, _ := client.Issues.Create(ctx, testOrg, "api", &github.IssueRequest{Body: github.String("no title")}); resp.StatusCode != 422 {
		t.Errorf("missing title: %d", resp.StatusCode)
	}
	if _, _, err := client.Issues.Edit(ctx, testOrg, "api", 2, &github.IssueRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	issues := f.Issues(testOrg, "api")
	if len(issues) != 3 || issues[1].State != "closed" || issues[1].ClosedAt == nil || issues[1].Body != atLimit {
		t.Errorf("Issues = %+v", issues)
	}
}

func TestIssueComments(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	f.Commit(testOrg, "api", "feature", map[string]string{"README.md": "changed\n"})
	n := f.OpenPR(testOrg, "api", 12, "feature", "main")
	f.AddIssueComment(testOrg, "api", n, "octocat", "LGTM")
	client := installationClient(t, f, testInstallation)
	c, _, err := client.Issues.CreateComment(ctx, testOrg, "api", n, &github.IssueComment{Body: github.String("<!-- goldenpath:pr -->\nmissing: docs.techdocs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.Issues.EditComment(ctx, testOrg, "api", c.GetID(), &github.IssueComment{Body: github.String("<!-- goldenpath:pr -->\nall clear")}); err != nil {
		t.Fatal(err)
	}
	list, _, err := client.Issues.ListComments(ctx, testOrg, "api", n, &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil || len(list) != 2 || list[1].GetBody() != "<!-- goldenpath:pr -->\nall clear" || list[1].GetUser().GetLogin() != f.BotLogin() {
		t.Fatalf("comments = %v, %v", list, err)
	}
	comments := f.IssueComments(testOrg, "api", n)
	if len(comments) != 2 || comments[0].Author != "octocat" || comments[1].Author != f.BotLogin() {
		t.Errorf("IssueComments = %+v", comments)
	}
	if _, resp, _ := client.Issues.CreateComment(ctx, testOrg, "api", n, &github.IssueComment{Body: github.String(strings.Repeat("y", 65537))}); resp.StatusCode != 422 {
		t.Errorf("long comment: %d", resp.StatusCode)
	}
	if _, resp, _ := client.Issues.CreateComment(ctx, testOrg, "api", 999, &github.IssueComment{Body: github.String("x")}); resp.StatusCode != 404 {
		t.Errorf("comment on a missing issue: %d", resp.StatusCode)
	}
}

func TestReadOnlyAndDisabledRepositories(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	f.AddRepo(testOrg, "old", githubfake.WithArchived())
	f.AddRepo(testOrg, "noissues")
	f.UpdateRepo(testOrg, "noissues", func(r *githubfake.Repo) { r.HasIssues = false })
	client := installationClient(t, f, testInstallation)
	if _, resp, _ := client.Issues.Create(ctx, testOrg, "old", &github.IssueRequest{Title: github.String("x")}); resp.StatusCode != 403 {
		t.Errorf("archived: %d, want 403", resp.StatusCode)
	}
	if _, resp, _ := client.Issues.ListByRepo(ctx, testOrg, "noissues", nil); resp.StatusCode != 410 {
		t.Errorf("issues disabled: %d, want 410", resp.StatusCode)
	}
}

func TestPullRequests(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	f.Commit(testOrg, "api", "feature", map[string]string{"README.md": "# api\n", "catalog-info.yaml": "x\n"})
	n := f.OpenPR(testOrg, "api", 0, "feature", "main")
	client := installationClient(t, f, testInstallation)
	pr, _, err := client.PullRequests.Get(ctx, testOrg, "api", n)
	if err != nil {
		t.Fatal(err)
	}
	if pr.GetHead().GetRef() != "feature" || pr.GetBase().GetSHA() != w.head || pr.GetHead().GetRepo().GetFullName() != "acme/api" || pr.GetChangedFiles() != 3 {
		t.Errorf("pr = head %s base %s repo %s changed %d", pr.GetHead().GetRef(), pr.GetBase().GetSHA(), pr.GetHead().GetRepo().GetFullName(), pr.GetChangedFiles())
	}
	oldHead := pr.GetHead().GetSHA()
	newHead := f.Commit(testOrg, "api", "feature", map[string]string{"README.md": "# api v2\n"})
	pr, _, err = client.PullRequests.Get(ctx, testOrg, "api", n)
	if err != nil || pr.GetHead().GetSHA() != newHead {
		t.Fatalf("head after push = %s, want %s (%v)", pr.GetHead().GetSHA(), newHead, err)
	}
	if got := f.PullRequest(testOrg, "api", n); got.PreviousHeadSHA != oldHead {
		t.Errorf("previous head = %s, want %s", got.PreviousHeadSHA, oldHead)
	}
	runs, _, err := client.Checks.CreateCheckRun(ctx, testOrg, "api", github.CreateCheckRunOptions{Name: "Golden Path", HeadSHA: newHead})
	if err != nil || len(runs.PullRequests) != 1 || runs.PullRequests[0].GetNumber() != n {
		t.Errorf("check run pull_requests = %v, %v", runs.PullRequests, err)
	}
	if _, _, err := client.PullRequests.Get(ctx, testOrg, "api", 99); statusOf(err) != 404 {
		t.Errorf("missing PR: %v", err)
	}
	list, _, err := client.PullRequests.List(ctx, testOrg, "api", nil)
	if err != nil || len(list) != 1 {
		t.Errorf("list = %d, %v", len(list), err)
	}
}

func TestRepositorySettings(t *testing.T) {
	f := githubfake.New(t)
	f.AddInstallation(testInstallation, testOrg)
	f.AddRepo(testOrg, "svc", githubfake.WithArchived(), githubfake.WithFork(), githubfake.WithDescription("d"), githubfake.WithTopics("a", "b"))
	f.UpdateRepo(testOrg, "svc", func(r *githubfake.Repo) { r.DefaultBranch = "trunk"; r.Name = "ignored" })
	client := installationClient(t, f, testInstallation)
	list, _, err := client.Apps.ListRepos(ctx, nil)
	if err != nil || len(list.Repositories) != 1 {
		t.Fatalf("repositories = %+v, %v", list, err)
	}
	r := list.Repositories[0]
	if r.GetFullName() != "acme/svc" || r.GetDefaultBranch() != "trunk" || !r.GetArchived() || !r.GetFork() || r.GetVisibility() != "public" ||
		r.GetDescription() != "d" || fmt.Sprint(r.Topics) != "[a b]" || r.GetOwner().GetType() != "Organization" {
		t.Errorf("repo = %+v", r)
	}
}

func TestRenamedRepositoryRedirects(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	f.RenameRepo(testOrg, "api", "platform-api")
	tok := token(f, testInstallation)
	res := do(t, f, rawCall{path: "/repos/acme/api/git/trees/main?recursive=1", auth: tok})
	if res.status != 301 || !strings.HasSuffix(res.header.Get("Location"), fmt.Sprintf("/repositories/%d/git/trees/main?recursive=1", f.RepoID(testOrg, "platform-api"))) {
		t.Fatalf("GET old name: %d Location %q", res.status, res.header.Get("Location"))
	}
	if res := do(t, f, rawCall{method: "POST", path: "/repos/acme/api/issues", body: `{"title":"x"}`, auth: tok}); res.status != 307 {
		t.Errorf("POST old name: %d, want 307", res.status)
	}
	client := installationClient(t, f, testInstallation)
	tree, _, err := client.Git.GetTree(ctx, testOrg, "api", "main", false)
	if err != nil || tree.GetSHA() != f.TreeOf(testOrg, "platform-api", "main") {
		t.Errorf("go-github follows the redirect: %v, %v", tree.GetSHA(), err)
	}
}

func TestHookDeliveries(t *testing.T) {
	f := githubfake.New(t)
	for i := range 5 {
		status := 202
		if i%2 == 1 {
			status = 500
		}
		f.RecordDelivery(fmt.Sprintf("guid-%d", i), "pull_request", status)
	}
	client := appClient(t, f)
	var guids []string
	opts := &github.ListCursorOptions{PerPage: 2}
	pages := 0
	for {
		list, resp, err := client.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range list {
			guids = append(guids, d.GetGUID())
		}
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	if pages != 3 || strings.Join(guids, ",") != "guid-4,guid-3,guid-2,guid-1,guid-0" {
		t.Fatalf("pages %d, guids %v", pages, guids)
	}
	id := f.Deliveries()[1].ID
	_, _, err := client.Apps.RedeliverHookDelivery(ctx, id)
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) {
		t.Errorf("redeliver: %v, want 202 Accepted", err)
	}
	all := f.Deliveries()
	if last := all[len(all)-1]; len(all) != 6 || !last.Redelivery || last.GUID != "guid-1" {
		t.Errorf("after redelivery: %+v", last)
	}
}

func TestRedeliveryReachesTheTarget(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	got := make(chan string, 1)
	f.SetWebhookTarget(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-GitHub-Delivery")
		rw.WriteHeader(http.StatusAccepted)
	}))
	payload, err := json.Marshal(f.PushEvent(testOrg, "api", "main"))
	if err != nil {
		t.Fatal(err)
	}
	id := f.AddDelivery(githubfake.Delivery{GUID: "guid-1", Event: "push", StatusCode: 500, Payload: payload})
	res := do(t, f, rawCall{method: "POST", path: fmt.Sprintf("/app/hook/deliveries/%d/attempts", id), auth: "Bearer " + f.AppJWT()})
	if res.status != 202 {
		t.Fatalf("redeliver: %d %s", res.status, res.body)
	}
	select {
	case guid := <-got:
		if guid != "guid-1" {
			t.Errorf("redelivered GUID %s, want guid-1", guid)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("redelivery never arrived")
	}
	f.Close() // waits for the redelivery to be recorded
	again := f.Deliveries()[1]
	if !again.Redelivery || again.Status != "OK" || again.InstallationID != testInstallation || again.RepositoryID == 0 {
		t.Errorf("recorded redelivery = %+v", again)
	}
}

func TestPushEventFollowsTheBranch(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	head := f.Commit(testOrg, "api", "trunk", map[string]string{"x": "y"})
	push := f.PushEvent(testOrg, "api", "trunk")
	if push["created"] != true || push["before"] != strings.Repeat("0", 40) || push["after"] != head {
		t.Errorf("push for a new branch: created=%v before=%v after=%v", push["created"], push["before"], push["after"])
	}
	f.SetInstallationPermissions(testInstallation, map[string]string{"contents": "write"})
	client := installationClient(t, f, testInstallation)
	if _, err := client.Git.DeleteRef(ctx, testOrg, "api", "heads/trunk"); err != nil {
		t.Fatal(err)
	}
	if push := f.PushEvent(testOrg, "api", "trunk"); push["deleted"] != true || push["before"] != head {
		t.Errorf("push for a deleted branch: deleted=%v before=%v", push["deleted"], push["before"])
	}
}
