package githubclient

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/ghport"
)

// Installations lists the app's installations with the app's JWT. Suspended ones
// are left out: GitHub refuses their tokens until they are unsuspended.
func (c *Client) Installations(ctx context.Context) ([]ghport.InstallationInfo, error) {
	var out []ghport.InstallationInfo
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := c.app.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return nil, classify("list the app's installations", err)
		}
		for _, i := range list {
			if i.SuspendedAt != nil {
				continue
			}
			out = append(out, ghport.InstallationInfo{ID: i.GetID(), Account: i.GetAccount().GetLogin()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Repositories implements ghport.Installation: GET /installation/repositories, 100 a page.
func (in *Installation) Repositories(ctx context.Context) ([]ghport.RepoInfo, error) {
	ctx = in.withID(ctx)
	var out []ghport.RepoInfo
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := in.gh.Apps.ListRepos(ctx, opts)
		if err != nil {
			return nil, classify(fmt.Sprintf("list repositories of installation %d", in.id), err)
		}
		for _, r := range list.Repositories {
			out = append(out, ghport.RepoInfo{
				ID: r.GetID(), Owner: r.GetOwner().GetLogin(), Name: r.GetName(), DefaultBranch: r.GetDefaultBranch(),
				Archived: r.GetArchived(), Fork: r.GetFork(), PushedAt: r.GetPushedAt().Time,
				Template: r.GetTemplateRepository().GetFullName(), Description: r.GetDescription(), Topics: r.Topics,
			})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// rateLimits remembers each installation's last X-RateLimit-Remaining and Reset,
// and the requests in flight against them, so that sweeps keep the reserve without
// asking GET /rate_limit.
type rateLimits struct {
	mu sync.Mutex
	by map[int64]rateWindow
}

type rateWindow struct {
	remaining int
	reset     time.Time
	inflight  int
}

// begin counts a request against installation id's window. One that must keep the
// reserve is refused while the window is current and what is left of it, requests
// in flight counted, is at or below ghport.RateReserve; left and until say so.
func (r *rateLimits) begin(id int64, keepReserve bool, now time.Time) (left int, until time.Time, refused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.by == nil {
		r.by = map[int64]rateWindow{}
	}
	w, known := r.by[id]
	left = w.remaining - w.inflight
	if keepReserve && known && w.reset.After(now) && left <= ghport.RateReserve {
		return left, w.reset, true
	}
	w.inflight++
	r.by[id] = w
	return left, time.Time{}, false
}

// end closes a request begun with begin, recording the window its answer gave.
func (r *rateLimits) end(id int64, remaining int, reset time.Time, known bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.by[id]
	w.inflight = max(w.inflight-1, 0)
	switch {
	case !known, reset.Before(w.reset):
	case reset.Equal(w.reset):
		// Answers to concurrent requests arrive in any order; within a window
		// the budget only shrinks.
		w.remaining = min(w.remaining, remaining)
	default:
		w.remaining, w.reset = remaining, reset
	}
	r.by[id] = w
}

// RateLimit implements ghport.Installation.
func (in *Installation) RateLimit() (int, time.Time, bool) {
	in.client.rates.mu.Lock()
	defer in.client.rates.mu.Unlock()
	w, ok := in.client.rates.by[in.id]
	return w.remaining - w.inflight, w.reset, ok && !w.reset.IsZero()
}

type listedIssue struct {
	authored
	Number      int       `json:"number"`
	State       string    `json:"state"`
	Body        string    `json:"body"`
	PullRequest *struct{} `json:"pull_request"`
}

// FindIssues implements ghport.Installation: the open issues (not pull requests)
// that hold marker and that the app wrote (authored.byApp), oldest first — never
// by title alone. Authorship is checked here rather than with the creator filter,
// whose handling of "<slug>[bot]" logins GitHub does not document.
func (in *Installation) FindIssues(ctx context.Context, owner, repo, marker string) ([]ghport.Issue, error) {
	what := fmt.Sprintf("list issues of %s/%s", owner, repo)
	// The app's own request, before ctx is tagged: its budget is not the installation's.
	bot, err := in.client.botLogin(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	ctx = in.withID(ctx)
	var out []ghport.Issue
	for page := 1; ; {
		u := fmt.Sprintf("repos/%s/%s/issues?state=open&sort=created&direction=asc&per_page=100&page=%d", owner, repo, page)
		req, err := in.gh.NewRequest("GET", u, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		var issues []listedIssue
		resp, err := in.gh.Do(ctx, req, &issues)
		if err != nil {
			return nil, classify(what, err)
		}
		for _, is := range issues {
			if is.PullRequest == nil && strings.Contains(is.Body, marker) && is.byApp(in.client.appID, bot) {
				out = append(out, ghport.Issue{Number: is.Number, Open: is.State == "open", Body: is.Body})
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		page = resp.NextPage
	}
}

// Issue implements ghport.Installation.
func (in *Installation) Issue(ctx context.Context, owner, repo string, number int) (ghport.Issue, error) {
	is, _, err := in.gh.Issues.Get(in.withID(ctx), owner, repo, number)
	if err != nil {
		return ghport.Issue{}, classify(fmt.Sprintf("read issue %s/%s#%d", owner, repo, number), err)
	}
	return ghport.Issue{Number: is.GetNumber(), Open: is.GetState() == "open", Body: is.GetBody()}, nil
}

// CreateIssue implements ghport.Installation.
func (in *Installation) CreateIssue(ctx context.Context, owner, repo, title, body string, labels []string) (int, error) {
	req := &github.IssueRequest{Title: &title, Body: &body}
	if len(labels) > 0 { // a nil list would be sent as "labels": null
		req.Labels = &labels
	}
	is, _, err := in.gh.Issues.Create(in.withID(ctx), owner, repo, req)
	if err != nil {
		return 0, classify(fmt.Sprintf("create issue in %s/%s", owner, repo), err)
	}
	return is.GetNumber(), nil
}

// EditIssue implements ghport.Installation.
func (in *Installation) EditIssue(ctx context.Context, owner, repo string, number int, body string) error {
	_, _, err := in.gh.Issues.Edit(in.withID(ctx), owner, repo, number, &github.IssueRequest{Body: &body})
	if err != nil {
		return classify(fmt.Sprintf("edit issue %s/%s#%d", owner, repo, number), err)
	}
	return nil
}

// CloseIssue implements ghport.Installation.
func (in *Installation) CloseIssue(ctx context.Context, owner, repo string, number int) error {
	state := "closed"
	_, _, err := in.gh.Issues.Edit(in.withID(ctx), owner, repo, number, &github.IssueRequest{State: &state})
	if err != nil {
		return classify(fmt.Sprintf("close issue %s/%s#%d", owner, repo, number), err)
	}
	return nil
}
