package githubclient

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"
)

// authored is what tells who wrote an issue or a comment. go-github v60's types
// have no performed_via_github_app, so lists are decoded into this.
type authored struct {
	User struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
	PerformedViaGitHubApp *struct {
		ID int64 `json:"id"`
	} `json:"performed_via_github_app"`
}

// byApp reports whether the app wrote it: its author is the app's bot user (type
// Bot, login "<slug>[bot]"; people's logins cannot contain brackets) or GitHub
// says the app performed it. Someone quoting our marker never matches.
func (a authored) byApp(appID int64, bot string) bool {
	if a.PerformedViaGitHubApp != nil && a.PerformedViaGitHubApp.ID == appID {
		return true
	}
	return a.User.Type == "Bot" && strings.EqualFold(a.User.Login, bot)
}

// issueComment is the part of a comment FindComment looks at.
type issueComment struct {
	authored
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

// FindComment returns the first comment on the issue or pull request that holds
// marker and that the app wrote (see authored.byApp), or 0.
func (in *Installation) FindComment(ctx context.Context, owner, repo string, number int, marker string) (int64, error) {
	what := fmt.Sprintf("list comments of %s/%s#%d", owner, repo, number)
	// The app's own request, before ctx is tagged: its budget is not the installation's.
	bot, err := in.client.botLogin(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	ctx = in.withID(ctx)
	for page := 1; ; {
		u := fmt.Sprintf("repos/%s/%s/issues/%d/comments?per_page=100&page=%d", owner, repo, number, page)
		req, err := in.gh.NewRequest("GET", u, nil)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		var comments []issueComment
		resp, err := in.gh.Do(ctx, req, &comments)
		if err != nil {
			return 0, classify(what, err)
		}
		for _, c := range comments {
			if strings.Contains(c.Body, marker) && c.byApp(in.client.appID, bot) {
				return c.ID, nil
			}
		}
		if resp.NextPage == 0 {
			return 0, nil
		}
		page = resp.NextPage
	}
}

// CreateComment comments on the issue or pull request.
func (in *Installation) CreateComment(ctx context.Context, owner, repo string, number int, body string) (int64, error) {
	ctx = in.withID(ctx)
	c, _, err := in.gh.Issues.CreateComment(ctx, owner, repo, number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return 0, classify(fmt.Sprintf("comment on %s/%s#%d", owner, repo, number), err)
	}
	return c.GetID(), nil
}

// EditComment replaces a comment's body.
func (in *Installation) EditComment(ctx context.Context, owner, repo string, id int64, body string) error {
	ctx = in.withID(ctx)
	_, _, err := in.gh.Issues.EditComment(ctx, owner, repo, id, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return classify(fmt.Sprintf("edit comment %d on %s/%s", id, owner, repo), err)
	}
	return nil
}
