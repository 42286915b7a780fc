package githubfake

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// PullRequest is a pull request as returned by Fake.PullRequest.
type PullRequest struct {
	ID      int64
	Number  int
	Title   string
	Body    string
	State   string // "open" or "closed"
	Author  string
	HeadRef string
	HeadSHA string
	BaseRef string
	BaseSHA string
	Draft   bool
	Merged  bool
	// PreviousHeadSHA is the head before the last push to the head branch (the
	// "before" of a synchronize event).
	PreviousHeadSHA string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ClosedAt        *time.Time
}

type prState struct {
	id          int64
	HeadRef     string
	HeadSHA     string
	BaseRef     string
	BaseSHA     string
	Draft       bool
	Merged      bool
	prevHeadSHA string
}

// OpenPR opens pull request number (0: the next free number) from headBranch into
// baseBranch, authored by "octocat", with head and base SHAs taken from the
// branches; both branches must exist. Later commits to either branch move the SHAs,
// as on GitHub. It returns the number.
func (f *Fake) OpenPR(org, repo string, number int, headBranch, baseBranch string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	head, okHead := rs.branches[headBranch]
	base, okBase := rs.branches[baseBranch]
	if !okHead || !okBase {
		f.setupError("open PR on %s: branches %q and %q must exist", rs.FullName(), headBranch, baseBranch)
	}
	if number == 0 {
		number = rs.nextNumber
	}
	is := f.newIssue(rs, Issue{Number: number, Title: fmt.Sprintf("Change %s", headBranch), Author: defaultUser, IsPullRequest: true})
	is.pr = &prState{id: f.newID(), HeadRef: headBranch, HeadSHA: head, BaseRef: baseBranch, BaseSHA: base}
	return number
}

// UpdatePR changes a pull request (title, body, state, draft, base branch, ...).
func (f *Fake) UpdatePR(org, repo string, number int, change func(*PullRequest)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	is := f.mustPull(rs, number)
	pr := f.prSnapshot(is)
	change(&pr)
	now := time.Now().UTC().Truncate(time.Second)
	is.Title, is.Body, is.UpdatedAt = pr.Title, pr.Body, now
	if pr.State != is.State {
		is.State = pr.State
		is.ClosedAt = nil
		if pr.State == "closed" {
			is.ClosedAt = &now
		}
	}
	if pr.BaseRef != is.pr.BaseRef {
		is.pr.BaseRef = pr.BaseRef
		is.pr.BaseSHA = rs.branches[pr.BaseRef]
	}
	if pr.HeadSHA != is.pr.HeadSHA {
		is.pr.prevHeadSHA, is.pr.HeadSHA = is.pr.HeadSHA, pr.HeadSHA
	}
	is.pr.Draft, is.pr.Merged = pr.Draft, pr.Merged
}

// ClosePR closes a pull request.
func (f *Fake) ClosePR(org, repo string, number int) {
	f.UpdatePR(org, repo, number, func(p *PullRequest) { p.State = "closed" })
}

// PullRequest returns a copy of a pull request.
func (f *Fake) PullRequest(org, repo string, number int) PullRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prSnapshot(f.mustPull(f.mustRepo(org, repo), number))
}

func (f *Fake) mustPull(rs *repoState, number int) *issueState {
	is := rs.issues[number]
	if is == nil || is.pr == nil {
		f.setupError("no pull request %s#%d", rs.FullName(), number)
	}
	return is
}

func (f *Fake) prSnapshot(is *issueState) PullRequest {
	return PullRequest{
		ID: is.pr.id, Number: is.Number, Title: is.Title, Body: is.Body, State: is.State, Author: is.Author,
		HeadRef: is.pr.HeadRef, HeadSHA: is.pr.HeadSHA, BaseRef: is.pr.BaseRef, BaseSHA: is.pr.BaseSHA,
		Draft: is.pr.Draft, Merged: is.pr.Merged, PreviousHeadSHA: is.pr.prevHeadSHA,
		CreatedAt: is.CreatedAt, UpdatedAt: is.UpdatedAt, ClosedAt: is.ClosedAt,
	}
}

func (f *Fake) prBranchJSON(rs *repoState, ref, sha string) map[string]any {
	return map[string]any{
		"label": rs.Owner + ":" + ref,
		"ref":   ref,
		"sha":   sha,
		"user":  f.userJSON(rs.Owner),
		"repo":  f.repoJSON(rs, repoShapeList),
	}
}

func (f *Fake) pullJSON(rs *repoState, is *issueState) map[string]any {
	o, r, n := rs.Owner, rs.Name, is.Number
	api := f.api("repos/%s/%s/pulls/%d", o, r, n)
	issueAPI := f.api("repos/%s/%s/issues/%d", o, r, n)
	html := f.web("%s/%s/pull/%d", o, r, n)
	href := func(u string) map[string]any { return map[string]any{"href": u} }
	labels := []any{}
	for _, l := range is.Labels {
		labels = append(labels, f.labelJSON(rs, l))
	}
	additions, deletions, changed := 0, 0, 0
	if base, head := rs.objects[is.pr.BaseSHA], rs.objects[is.pr.HeadSHA]; base != nil && head != nil {
		for _, ch := range rs.changedFiles(base.commit.tree, head.commit.tree) {
			lines := lineCount(rs.objects[ch.sha].raw)
			if ch.mode == "removed" {
				deletions += lines
			} else {
				additions += lines
			}
			changed++
		}
	}
	var mergedAt any
	if is.pr.Merged && is.ClosedAt != nil {
		mergedAt = ts(*is.ClosedAt)
	}
	statuses := f.api("repos/%s/%s/statuses/%s", o, r, is.pr.HeadSHA)
	return map[string]any{
		"url":                   api,
		"id":                    is.pr.id,
		"node_id":               nodeID("PullRequest", is.pr.id),
		"html_url":              html,
		"diff_url":              html + ".diff",
		"patch_url":             html + ".patch",
		"issue_url":             issueAPI,
		"number":                n,
		"state":                 is.State,
		"locked":                is.Locked,
		"title":                 is.Title,
		"user":                  f.userJSON(is.Author),
		"body":                  strOrNil(is.Body),
		"created_at":            ts(is.CreatedAt),
		"updated_at":            ts(is.UpdatedAt),
		"closed_at":             tsOrNil(is.ClosedAt),
		"merged_at":             mergedAt,
		"merge_commit_sha":      nil,
		"assignee":              nil,
		"assignees":             []any{},
		"requested_reviewers":   []any{},
		"requested_teams":       []any{},
		"labels":                labels,
		"milestone":             nil,
		"draft":                 is.pr.Draft,
		"commits_url":           api + "/commits",
		"review_comments_url":   api + "/comments",
		"review_comment_url":    f.api("repos/%s/%s/pulls/comments{/number}", o, r),
		"comments_url":          issueAPI + "/comments",
		"statuses_url":          statuses,
		"head":                  f.prBranchJSON(rs, is.pr.HeadRef, is.pr.HeadSHA),
		"base":                  f.prBranchJSON(rs, is.pr.BaseRef, is.pr.BaseSHA),
		"author_association":    f.authorAssociation(is.Author),
		"auto_merge":            nil,
		"active_lock_reason":    nil,
		"merged":                is.pr.Merged,
		"mergeable":             true,
		"rebaseable":            true,
		"mergeable_state":       "clean",
		"merged_by":             nil,
		"comments":              len(is.comments),
		"review_comments":       0,
		"maintainer_can_modify": false,
		"commits":               1,
		"additions":             additions,
		"deletions":             deletions,
		"changed_files":         changed,
		"_links": map[string]any{
			"self":            href(api),
			"html":            href(html),
			"issue":           href(issueAPI),
			"comments":        href(issueAPI + "/comments"),
			"review_comments": href(api + "/comments"),
			"review_comment":  href(f.api("repos/%s/%s/pulls/comments{/number}", o, r)),
			"commits":         href(api + "/commits"),
			"statuses":        href(statuses),
		},
	}
}

// pullMinimalJSON is the pull-request-minimal shape used in check runs and suites.
func (f *Fake) pullMinimalJSON(rs *repoState, is *issueState) map[string]any {
	branch := func(ref, sha string) map[string]any {
		return map[string]any{
			"ref": ref,
			"sha": sha,
			"repo": map[string]any{
				"id":   rs.ID,
				"url":  f.api("repos/%s/%s", rs.Owner, rs.Name),
				"name": rs.Name,
			},
		}
	}
	return map[string]any{
		"url":    f.api("repos/%s/%s/pulls/%d", rs.Owner, rs.Name, is.Number),
		"id":     is.pr.id,
		"number": is.Number,
		"head":   branch(is.pr.HeadRef, is.pr.HeadSHA),
		"base":   branch(is.pr.BaseRef, is.pr.BaseSHA),
	}
}

// openPullsWithHead lists open pull requests whose head is sha.
func (f *Fake) openPullsWithHead(rs *repoState, sha string) []any {
	out := []any{}
	for _, is := range sortedIssues(rs) {
		if is.pr != nil && is.State == "open" && is.pr.HeadSHA == sha {
			out = append(out, f.pullMinimalJSON(rs, is))
		}
	}
	return out
}

// --- endpoints ---

func (f *Fake) listPulls(c *call) *response {
	rs := c.rs
	state := c.queryValue("state")
	if state == "" {
		state = "open"
	}
	head := c.queryValue("head")
	// By number is by creation, GitHub's default sort (newest first unless asc).
	var items []any
	for _, is := range sortedIssues(rs) {
		if is.pr == nil || (state != "all" && is.State != state) {
			continue
		}
		if head != "" && !strings.EqualFold(head, rs.Owner+":"+is.pr.HeadRef) {
			continue
		}
		items = append(items, f.pullJSON(rs, is))
	}
	if c.queryValue("direction") != "asc" {
		slices.Reverse(items)
	}
	return paginate(c, items, func(page []any) any { return page })
}

func (f *Fake) getPull(c *call) *response {
	return jsonResponse(http.StatusOK, f.pullJSON(c.rs, c.issue))
}
