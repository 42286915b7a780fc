package githubclient

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/ghport"
)

// pull is what a pull request's JSON says of itself; go-github v60's type has no
// performed_via_github_app, so answers are decoded into this.
type pull struct {
	authored
	Number int    `json:"number"`
	State  string `json:"state"`
	Merged bool   `json:"merged"`
	// MergedAt is set in listings, where merged is absent.
	MergedAt *string `json:"merged_at"`
	Title    string  `json:"title"`
	Body     string  `json:"body"`
	Head     struct {
		SHA string `json:"sha"`
	} `json:"head"`
}

func (in *Installation) toPull(ctx context.Context, p pull) (ghport.Pull, error) {
	bot, err := in.client.botLogin(ctx)
	if err != nil {
		return ghport.Pull{}, err
	}
	return ghport.Pull{
		Number: p.Number, Open: p.State == "open", Merged: p.Merged || p.MergedAt != nil, ByApp: p.byApp(in.client.appID, bot),
		HeadSHA: p.Head.SHA, Title: p.Title, Body: p.Body,
	}, nil
}

// Pull reads a pull request.
func (in *Installation) Pull(ctx context.Context, owner, repo string, number int) (ghport.Pull, error) {
	what := fmt.Sprintf("read pull request %s/%s#%d", owner, repo, number)
	req, err := in.gh.NewRequest("GET", fmt.Sprintf("repos/%s/%s/pulls/%d", owner, repo, number), nil)
	if err != nil {
		return ghport.Pull{}, fmt.Errorf("%s: %w", what, err)
	}
	var p pull
	if _, err := in.gh.Do(in.withID(ctx), req, &p); err != nil {
		return ghport.Pull{}, classify(what, err)
	}
	return in.toPull(ctx, p)
}

// PullFromBranch returns the newest pull request from branch (of the same
// repository) in any state; found is false when there is none.
func (in *Installation) PullFromBranch(ctx context.Context, owner, repo, branch string) (ghport.Pull, bool, error) {
	what := fmt.Sprintf("find pull requests from %s of %s/%s", branch, owner, repo)
	u := fmt.Sprintf("repos/%s/%s/pulls?state=all&head=%s:%s&sort=created&direction=desc&per_page=1", owner, repo, owner, branch)
	req, err := in.gh.NewRequest("GET", u, nil)
	if err != nil {
		return ghport.Pull{}, false, fmt.Errorf("%s: %w", what, err)
	}
	var ps []pull
	if _, err := in.gh.Do(in.withID(ctx), req, &ps); err != nil {
		return ghport.Pull{}, false, classify(what, err)
	}
	if len(ps) == 0 {
		return ghport.Pull{}, false, nil
	}
	p, err := in.toPull(ctx, ps[0])
	return p, err == nil, err
}

// CreatePull opens a pull request and returns its number.
func (in *Installation) CreatePull(ctx context.Context, owner, repo string, p ghport.NewPull) (int, error) {
	pr, _, err := in.gh.PullRequests.Create(in.withID(ctx), owner, repo, &github.NewPullRequest{
		Title: github.String(p.Title), Body: github.String(p.Body), Head: github.String(p.Head), Base: github.String(p.Base),
	})
	if err != nil {
		return 0, classify(fmt.Sprintf("open a pull request on %s/%s from %s", owner, repo, p.Head), err)
	}
	return pr.GetNumber(), nil
}

// EditPull sets a pull request's title and body, and closes it when close.
func (in *Installation) EditPull(ctx context.Context, owner, repo string, number int, title, body string, close bool) error {
	edit := &github.PullRequest{Title: github.String(title), Body: github.String(body)}
	if close {
		edit.State = github.String("closed")
	}
	if _, _, err := in.gh.PullRequests.Edit(in.withID(ctx), owner, repo, number, edit); err != nil {
		return classify(fmt.Sprintf("edit pull request %s/%s#%d", owner, repo, number), err)
	}
	return nil
}
