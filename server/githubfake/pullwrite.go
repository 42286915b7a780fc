package githubfake

import (
	"net/http"
	"strings"
	"time"
)

// Opening and editing pull requests as the app: each needs pull_requests: write
// (the route table says so; resolve checks it).

// pullCreate is the body of POST pulls.
type pullCreate struct {
	Title *string `json:"title"`
	Head  string  `json:"head"`
	Base  string  `json:"base"`
	Body  *string `json:"body"`
}

func (f *Fake) createPull(c *call, req *pullCreate) *response {
	rs := c.rs
	// head may be "owner:branch"; only branches of this repository are served.
	head := req.Head
	if owner, branch, found := strings.Cut(head, ":"); found && strings.EqualFold(owner, rs.Owner) {
		head = branch
	}
	switch {
	case req.Title == nil || strings.TrimSpace(*req.Title) == "":
		return validationError(c.rt.doc, map[string]any{"resource": "PullRequest", "code": "missing_field", "field": "title"})
	case rs.branches[req.Base] == "":
		return validationError(c.rt.doc, map[string]any{"resource": "PullRequest", "code": "invalid", "field": "base"})
	case rs.branches[head] == "":
		return validationError(c.rt.doc, map[string]any{"resource": "PullRequest", "code": "invalid", "field": "head"})
	case rs.isAncestor(rs.branches[head], rs.branches[req.Base]):
		return validationError(c.rt.doc, map[string]any{"resource": "PullRequest", "code": "custom",
			"message": "No commits between " + req.Base + " and " + head})
	}
	if bad := f.validateIssueText(c.rt.doc, *req.Title, req.Body); bad != nil {
		return bad
	}
	for _, is := range rs.issues {
		if is.pr != nil && is.State == "open" && is.pr.HeadRef == head && is.pr.BaseRef == req.Base {
			return validationError(c.rt.doc, map[string]any{"resource": "PullRequest", "code": "custom",
				"message": "A pull request already exists for " + rs.Owner + ":" + head + "."})
		}
	}
	is := f.newIssue(rs, Issue{Title: *req.Title, Author: f.BotLogin(), IsPullRequest: true})
	if req.Body != nil {
		is.Body = *req.Body
	}
	is.pr = &prState{id: f.newID(), HeadRef: head, HeadSHA: rs.branches[head], BaseRef: req.Base, BaseSHA: rs.branches[req.Base]}
	resp := jsonResponse(http.StatusCreated, f.pullJSON(rs, is))
	resp.header.Set("Location", f.api("repos/%s/%s/pulls/%d", rs.Owner, rs.Name, is.Number))
	return resp
}

// pullUpdate is the body of PATCH pulls/{pull_number}.
type pullUpdate struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
	State *string `json:"state"`
}

func (f *Fake) updatePull(c *call, req *pullUpdate) *response {
	rs := c.rs
	is := c.issue
	title := is.Title
	if req.Title != nil {
		title = *req.Title
	}
	if bad := f.validateIssueText(c.rt.doc, title, req.Body); bad != nil {
		return bad
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		return validationError(c.rt.doc, map[string]any{"resource": "PullRequest", "code": "invalid", "field": "state"})
	}
	now := time.Now().UTC().Truncate(time.Second)
	is.Title, is.UpdatedAt = title, now
	if req.Body != nil {
		old := is.Body
		is.prevBody, is.Body = &old, *req.Body
	}
	if req.State != nil && *req.State != is.State {
		is.State, is.ClosedAt = *req.State, nil
		if is.State == "closed" {
			is.ClosedAt = &now
		} else {
			is.pr.HeadSHA = rs.branches[is.pr.HeadRef]
		}
	}
	return jsonResponse(http.StatusOK, f.pullJSON(rs, is))
}

// PullRequests returns copies of the repository's pull requests, by number.
func (f *Fake) PullRequests(org, repo string) []PullRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []PullRequest
	for _, is := range sortedIssues(f.mustRepo(org, repo)) {
		if is.pr != nil {
			out = append(out, f.prSnapshot(is))
		}
	}
	return out
}
