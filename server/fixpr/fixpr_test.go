package fixpr_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/goldenpath/goldenpath/policies/fix"
	"github.com/goldenpath/goldenpath/server/fixpr"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/githubclient"
	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

const inst int64 = 7

// world is a fake GitHub with acme/api, the app's client for it (contents and
// pull requests writable unless the test says otherwise) and a SQLite store.
type world struct {
	t    *testing.T
	fake *githubfake.Fake
	gh   fixpr.GitHub
	mem  *store.Store
	head string
	tree string
}

func newWorld(t *testing.T, writable bool) *world {
	t.Helper()
	f := githubfake.New(t)
	f.AddInstallation(inst, "acme")
	if writable {
		perms := githubfake.DefaultPermissions()
		perms["contents"], perms["pull_requests"] = "write", "write"
		f.SetInstallationPermissions(inst, perms)
	}
	f.AddRepo("acme", "api")
	files := map[string]string{"README.md": "# api\n", "go.mod": "module x\n"}
	head := f.Commit("acme", "api", "main", files)
	var cfg githubapp.Config
	cfg.V3APIURL, cfg.V4APIURL = f.URL(), f.URL()+"graphql"
	cfg.App.IntegrationID, cfg.App.PrivateKey = f.AppID, string(f.PrivateKeyPEM())
	c, err := githubclient.New(cfg, githubclient.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.Installation(t.Context(), inst)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(t.Context(), storetest.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	w := &world{t: t, fake: f, gh: in.(fixpr.GitHub), mem: s}
	w.setHead(head)
	return w
}

func (w *world) setHead(head string) {
	w.head, w.tree = head, w.fake.TreeOf("acme", "api", head)
}

func (w *world) request(files ...fix.File) fixpr.Request {
	return fixpr.Request{RepoID: 1, Owner: "acme", Repo: "api", DefaultBranch: "main", Base: w.head, BaseTree: w.tree,
		Plan: &fix.Plan{Files: files}}
}

// keep runs the flow and counts the installation's requests it made.
func (w *world) keep(req fixpr.Request) (fixpr.Result, int, error) {
	w.fake.ResetRequests()
	res, err := fixpr.Keep(context.Background(), w.gh, w.mem, req)
	return res, w.fake.CountRequests(githubfake.RequestFilter{InstallationID: inst}), err
}

var (
	security   = fix.File{Path: "SECURITY.md", Rule: "security.policy", Content: []byte("# Security\n")}
	runbook    = fix.File{Path: "docs/runbook.md", Rule: "operations.runbook", Content: []byte("# Runbook\n")}
	dependabot = fix.File{Path: ".github/dependabot.yml", Rule: "dependencies.automation", Content: []byte("version: 2\n")}
)

func TestOpenUpdateClose(t *testing.T) {
	w := newWorld(t, true)
	res, n, err := w.keep(w.request(security, runbook))
	if err != nil || res.Outcome != fixpr.Opened {
		t.Fatalf("first press = %+v, %v", res, err)
	}
	if n > 6 {
		t.Errorf("opening took %d requests, want at most 6", n)
	}
	t.Logf("new fix pull request: %d requests", n)
	pr := w.fake.PullRequest("acme", "api", res.Number)
	if pr.Title != fixpr.Title || !strings.Contains(pr.Body, fixpr.Marker) || pr.HeadRef != fixpr.Branch || pr.BaseRef != "main" {
		t.Errorf("pull request = %+v", pr)
	}
	branch := w.fake.Files("acme", "api", fixpr.Branch)
	if branch["SECURITY.md"] != "# Security\n" || branch["docs/runbook.md"] != "# Runbook\n" || branch["README.md"] != "# api\n" {
		t.Errorf("branch files = %v", branch)
	}

	// Second press, same facts: nothing is pushed.
	res2, n, err := w.keep(w.request(security, runbook))
	if err != nil || res2.Outcome != fixpr.Unchanged || res2.Number != res.Number {
		t.Errorf("second press = %+v, %v", res2, err)
	}
	if n != 0 {
		t.Errorf("an unchanged pull request took %d requests, want none: the app knows it open", n)
	}

	// Facts changed, and the default branch moved: the same pull request is updated.
	w.setHead(w.fake.Commit("acme", "api", "main", map[string]string{"README.md": "# api v2\n", "go.mod": "module x\n"}))
	changed := security
	changed.Content = []byte("# Security v2\n")
	res3, n, err := w.keep(w.request(changed, runbook))
	if err != nil || res3.Outcome != fixpr.Updated || res3.Number != res.Number {
		t.Fatalf("update = %+v, %v", res3, err)
	}
	if n > 4 {
		t.Errorf("updating took %d requests, want at most 4", n)
	}
	t.Logf("updated fix pull request: %d requests", n)
	branch = w.fake.Files("acme", "api", fixpr.Branch)
	if branch["SECURITY.md"] != "# Security v2\n" || branch["README.md"] != "# api v2\n" {
		t.Errorf("branch after update = %v", branch)
	}
	if got := len(w.fake.Issues("acme", "api")); got != 0 {
		t.Errorf("%d issues, want none", got)
	}

	// A new file to propose: pushed, and the body lists it.
	resAdd, n, err := w.keep(w.request(changed, runbook, dependabot))
	if err != nil || resAdd.Outcome != fixpr.Updated || resAdd.Number != res.Number {
		t.Fatalf("adding a file = %+v, %v", resAdd, err)
	}
	if n > 4 {
		t.Errorf("adding a file took %d requests, want at most 4", n)
	}
	t.Logf("fix pull request given another file: %d requests", n)
	if pr := w.fake.PullRequest("acme", "api", res.Number); !strings.Contains(pr.Body, dependabot.Path) ||
		w.fake.Files("acme", "api", fixpr.Branch)[dependabot.Path] == "" {
		t.Errorf("after adding a file: body %q, branch %v", pr.Body, w.fake.Files("acme", "api", fixpr.Branch))
	}

	// Nothing left to fix: the app closes it and deletes its branch.
	res4, _, err := w.keep(w.request())
	if err != nil || res4.Outcome != fixpr.Closed {
		t.Fatalf("nothing left = %+v, %v", res4, err)
	}
	if pr := w.fake.PullRequest("acme", "api", res.Number); pr.State != "closed" || w.fake.Branch("acme", "api", fixpr.Branch) != "" {
		t.Errorf("after close: state %s, branch %q", pr.State, w.fake.Branch("acme", "api", fixpr.Branch))
	}
	// Something fails again: closed by the app is no refusal, a new one opens.
	res5, _, err := w.keep(w.request(security))
	if err != nil || res5.Outcome != fixpr.Opened || res5.Number == res.Number {
		t.Errorf("after the app's close = %+v, %v", res5, err)
	}
}

func TestClosedByAPersonIsNeverRecreated(t *testing.T) {
	w := newWorld(t, true)
	res, _, err := w.keep(w.request(security))
	if err != nil {
		t.Fatal(err)
	}
	w.fake.ClosePR("acme", "api", res.Number)
	w.closedWebhook(res.Number)
	for range 2 {
		again, _, err := w.keep(w.request(security))
		if err != nil || again.Outcome != fixpr.Refused {
			t.Errorf("after a person closed it = %+v, %v", again, err)
		}
	}
	if pr := w.fake.PullRequest("acme", "api", res.Number); pr.State != "closed" {
		t.Errorf("reopened: %+v", pr)
	}
	// A file nobody refused yet may still be proposed, alone.
	more, _, err := w.keep(w.request(security, runbook))
	if err != nil || more.Outcome != fixpr.Opened || len(more.Files) != 1 || more.Files[0] != runbook.Path {
		t.Errorf("a new file = %+v, %v", more, err)
	}
}

// closedWebhook records what the pull_request closed webhook tells the app.
func (w *world) closedWebhook(number int) {
	w.t.Helper()
	pr := w.fake.PullRequest("acme", "api", number)
	if err := w.mem.FixPullSeen(context.Background(), 1, number, false, pr.HeadSHA); err != nil {
		w.t.Fatal(err)
	}
}

// A close the app has not heard of yet is no reason to open another pull
// request: at worst the closed one's branch moves, and once the webhook tells,
// its files are refused.
func TestCloseNotYetTold(t *testing.T) {
	w := newWorld(t, true)
	res, _, err := w.keep(w.request(security))
	if err != nil {
		t.Fatal(err)
	}
	w.fake.ClosePR("acme", "api", res.Number)
	changed := security
	changed.Content = []byte("# Security v2\n")
	again, _, err := w.keep(w.request(changed))
	if err != nil || again.Number != res.Number {
		t.Errorf("before the webhook = %+v, %v", again, err)
	}
	w.closedWebhook(res.Number)
	after, _, err := w.keep(w.request(changed))
	if err != nil || after.Outcome != fixpr.Refused {
		t.Errorf("after the webhook = %+v, %v", after, err)
	}
	if prs := w.fake.PullRequests("acme", "api"); len(prs) != 1 {
		t.Errorf("%d pull requests, want the one", len(prs))
	}
}

// Merged with its branch deleted before the webhook told: the push fails, the
// app reads the pull request and opens a new one for what is left.
func TestMergedAndDeletedNotYetTold(t *testing.T) {
	w := newWorld(t, true)
	res, _, err := w.keep(w.request(security))
	if err != nil {
		t.Fatal(err)
	}
	w.fake.UpdatePR("acme", "api", res.Number, func(p *githubfake.PullRequest) { p.State, p.Merged = "closed", true })
	w.fake.SetBranch("acme", "api", fixpr.Branch, "")
	again, _, err := w.keep(w.request(runbook))
	if err != nil || again.Outcome != fixpr.Opened || again.Number == res.Number {
		t.Errorf("after the merge = %+v, %v", again, err)
	}
}

func TestPersonsCommitIsNeverPushedOver(t *testing.T) {
	w := newWorld(t, true)
	res, _, err := w.keep(w.request(security))
	if err != nil {
		t.Fatal(err)
	}
	mine := w.fake.Files("acme", "api", fixpr.Branch)
	mine["SECURITY.md"] = "# Security, edited by a person\n"
	human := w.fake.Commit("acme", "api", fixpr.Branch, mine)
	changed := security
	changed.Content = []byte("# Security v2\n")
	again, _, err := w.keep(w.request(changed))
	if err != nil || again.Outcome != fixpr.Blocked || again.Number != res.Number {
		t.Errorf("with a person's commit = %+v, %v", again, err)
	}
	if got := w.fake.Branch("acme", "api", fixpr.Branch); got != human {
		t.Errorf("branch head = %s, want the person's %s", got, human)
	}
}

func TestMissingPermissionIsReported(t *testing.T) {
	w := newWorld(t, false)
	_, _, err := w.keep(w.request(security))
	if !errors.Is(err, ghport.ErrForbidden) {
		t.Fatalf("without contents write = %v, want ErrForbidden", err)
	}
	if n := w.fake.CountRequests(githubfake.RequestFilter{Status: 403}); n != 1 {
		t.Errorf("%d refused requests, want 1 (no retry)", n)
	}
	if len(w.fake.Issues("acme", "api")) != 0 || w.fake.Branch("acme", "api", fixpr.Branch) != "" {
		t.Error("something was written without the permission")
	}
}

// Hostile facts (newlines, YAML-looking text, @mentions, HTML) neither break the
// generated YAML nor reach the pull request's body as markup.
func TestHostileFacts(t *testing.T) {
	w := newWorld(t, true)
	facts := &fix.Facts{
		Org: "acme", Name: "api", FullName: "acme/api", DefaultBranch: "main", WebURL: "https://github.com",
		ComponentName: "api", ComponentType: "service", Lifecycle: "production",
		Description: "evil\nowner: user:mallory\n---\nkind: Group @acme/admins <img src=x onerror=alert(1)>",
		Owner:       "group:payments", CodeOwner: "@acme/payments",
	}
	plan, err := fix.Bundled.Plan(facts, []string{"catalog.present", "security.policy"})
	if err != nil {
		t.Fatal(err)
	}
	plan.Unfixable = append(plan.Unfixable, fix.Unfixable{Rule: "x.y", Reason: "@acme/admins <script>alert(1)</script>\n| broken | table"})
	req := w.request()
	req.Plan = plan
	res, _, err := w.keep(req)
	if err != nil || res.Outcome != fixpr.Opened {
		t.Fatalf("Keep = %+v, %v", res, err)
	}
	var entity struct {
		Spec     map[string]string `yaml:"spec"`
		Metadata map[string]any    `yaml:"metadata"`
	}
	catalog := w.fake.Files("acme", "api", fixpr.Branch)["catalog-info.yaml"]
	if err := yaml.Unmarshal([]byte(catalog), &entity); err != nil || entity.Spec["owner"] != "group:payments" || len(entity.Metadata) != 3 {
		t.Errorf("catalog-info.yaml = %q (%v)", catalog, err)
	}
	body := w.fake.PullRequest("acme", "api", res.Number).Body
	for _, bad := range []string{"<script>", "@acme/admins", "\n| broken"} {
		if strings.Contains(body, bad) {
			t.Errorf("body holds %q:\n%s", bad, body)
		}
	}
}

var (
	codeSpan  = regexp.MustCompile("`[^`\n]*`")
	escaped   = regexp.MustCompile(`\\[[:punct:]]`)
	lineBreak = regexp.MustCompile(`<br>`)
)

// Whatever a branch name or a generator's reason holds, the body keeps one
// marker, its table rows, and no live HTML, mention, link or emphasis.
func TestBodyStaysInert(t *testing.T) {
	for _, tc := range []struct{ name, branch, reason string }{
		{"html", "main", "<img src=x onerror=alert(1)><script>alert(1)</script>"},
		{"mention", "main", "ask @acme/admins or @mallory"},
		{"markdown", "main", "[click](https://evil.example) **bold** _it_ ![x](y) # heading"},
		{"a second marker", "main", fixpr.Marker + " -->"},
		{"newlines and a table", "main", "fine\n| file | rule |\n|---|---|\n| evil | row |"},
		{"a branch name with code and a link", "ma`in](https://evil.example)|x", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := fixpr.Request{Owner: "acme", Repo: "api", DefaultBranch: tc.branch,
				Plan: &fix.Plan{Unfixable: []fix.Unfixable{{Rule: "docs.readme", Reason: tc.reason}}}}
			body := fixpr.Body(req, []fix.File{security, runbook})
			if n := strings.Count(body, fixpr.Marker); n != 1 {
				t.Errorf("%d markers, want 1", n)
			}
			rows := 0
			for line := range strings.Lines(body) {
				if strings.HasPrefix(line, "|") {
					rows++
				}
			}
			if rows != 4 {
				t.Errorf("%d table rows, want 4 (header, rule, two files)", rows)
			}
			// Outside the marker, code spans (where nothing renders), escaped
			// characters and the line breaks that keep a reason on its line,
			// nothing may be live.
			rest := strings.Replace(body, fixpr.Marker, "", 1)
			for _, inert := range []*regexp.Regexp{codeSpan, escaped, lineBreak} {
				rest = inert.ReplaceAllString(rest, "")
			}
			for _, bad := range []string{"<", "@acme", "@mallory", "](", "**", "\n# ", "\n| evil"} {
				if strings.Contains(rest, bad) {
					t.Errorf("body holds %q:\n%s", bad, body)
				}
			}
		})
	}
}
