package githubfake

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// GitHub's limits on issue and comment text.
const (
	maxIssueBodyChars  = 65536
	maxIssueTitleChars = 256
)

// Issue is an issue as returned by Issues (pull requests share the numbering and
// appear here only through PullRequest).
type Issue struct {
	ID          int64
	Number      int
	Title       string
	Body        string
	State       string // "open" or "closed"
	StateReason string
	Labels      []string
	Author      string
	Locked      bool
	// IsPullRequest is true for a pull request's issue side.
	IsPullRequest bool
	// Comments is the number of comments.
	Comments  int
	CreatedAt time.Time
	UpdatedAt time.Time
	ClosedAt  *time.Time
}

// IssueComment is a comment on an issue or pull request.
type IssueComment struct {
	ID          int64
	IssueNumber int
	Body        string
	Author      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

type issueState struct {
	Issue
	pr       *prState
	comments []*IssueComment
	// the body before the last edit, for the issues "edited" webhook's "changes".
	prevBody *string
	// deleted by a person: GitHub answers 410 for it and lists it nowhere.
	deleted bool
}

type labelState struct {
	id          int64
	name        string
	color       string
	description string
}

// AddIssue creates an issue as a user (Author, default "octocat") and returns its
// number. Zero fields get GitHub's defaults (state "open").
func (f *Fake) AddIssue(org, repo string, is Issue) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	if is.Author == "" {
		is.Author = defaultUser
	}
	return f.newIssue(rs, is).Number
}

func (f *Fake) newIssue(rs *repoState, is Issue) *issueState {
	now := time.Now().UTC().Truncate(time.Second)
	is.ID = f.newID()
	if is.Number == 0 {
		is.Number = rs.nextNumber
	}
	if _, taken := rs.issues[is.Number]; taken {
		f.setupError("%s #%d already exists", rs.FullName(), is.Number)
	}
	rs.nextNumber = max(rs.nextNumber, is.Number+1)
	if is.State == "" {
		is.State = "open"
	}
	if is.CreatedAt.IsZero() {
		is.CreatedAt = now
	}
	if is.UpdatedAt.IsZero() {
		is.UpdatedAt = is.CreatedAt
	}
	if is.State == "closed" && is.ClosedAt == nil {
		is.ClosedAt = &now
	}
	for _, l := range is.Labels {
		f.ensureLabel(rs, l)
	}
	is.Labels = slices.Clone(is.Labels)
	st := &issueState{Issue: is}
	rs.issues[is.Number] = st
	return st
}

// EditIssue changes an issue's body as a user would (the change is what an issues
// "edited" payload built afterwards reports).
func (f *Fake) EditIssue(org, repo string, number int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustIssue(org, repo, number)
	old := is.Body
	is.prevBody = &old
	is.Body = body
	is.UpdatedAt = time.Now().UTC().Truncate(time.Second)
}

// SetIssueState closes or reopens an issue as a person would ("closed" or "open").
func (f *Fake) SetIssueState(org, repo string, number int, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustIssue(org, repo, number)
	now := time.Now().UTC().Truncate(time.Second)
	is.State, is.UpdatedAt = state, now
	if state == "closed" {
		is.ClosedAt, is.StateReason = &now, "completed"
	} else {
		is.ClosedAt, is.StateReason = nil, "reopened"
	}
}

// DeleteIssue deletes an issue as an administrator would: GitHub then answers
// 410 Gone for it, and lists it nowhere.
func (f *Fake) DeleteIssue(org, repo string, number int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mustIssue(org, repo, number).deleted = true
}

// AddIssueComment comments on an issue or pull request as author.
func (f *Fake) AddIssueComment(org, repo string, number int, author, body string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustIssue(org, repo, number)
	return f.newComment(is, author, body).ID
}

func (f *Fake) newComment(is *issueState, author, body string) *IssueComment {
	now := time.Now().UTC().Truncate(time.Second)
	c := &IssueComment{ID: f.newID(), IssueNumber: is.Number, Body: body, Author: author, CreatedAt: now, UpdatedAt: now}
	is.comments = append(is.comments, c)
	is.Comments = len(is.comments)
	is.UpdatedAt = now
	return c
}

// Issues returns copies of the repository's issues (not pull requests), by number.
func (f *Fake) Issues(org, repo string) []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	var out []Issue
	for _, is := range sortedIssues(rs) {
		if is.pr == nil {
			c := is.Issue
			c.Labels = slices.Clone(is.Labels)
			out = append(out, c)
		}
	}
	return out
}

// IssueComments returns copies of the comments on an issue or pull request, oldest first.
func (f *Fake) IssueComments(org, repo string, number int) []IssueComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []IssueComment
	for _, c := range f.mustIssue(org, repo, number).comments {
		out = append(out, *c)
	}
	return out
}

// IssueCommentsContaining returns the comments of an issue or pull request whose
// body contains marker.
func (f *Fake) IssueCommentsContaining(org, repo string, number int, marker string) []IssueComment {
	var out []IssueComment
	for _, c := range f.IssueComments(org, repo, number) {
		if strings.Contains(c.Body, marker) {
			out = append(out, c)
		}
	}
	return out
}

func (f *Fake) mustIssue(org, repo string, number int) *issueState {
	is := f.mustRepo(org, repo).issues[number]
	if is == nil {
		f.setupError("no issue %s/%s#%d", org, repo, number)
	}
	return is
}

// findComment finds a comment of the repository and the issue it is on.
func (rs *repoState) findComment(id int64) (*issueState, *IssueComment) {
	for _, is := range rs.issues {
		for _, cm := range is.comments {
			if cm.ID == id {
				return is, cm
			}
		}
	}
	return nil, nil
}

func sortedIssues(rs *repoState) []*issueState {
	var out []*issueState
	for _, is := range rs.issues {
		if !is.deleted {
			out = append(out, is)
		}
	}
	slices.SortFunc(out, func(a, b *issueState) int { return a.Number - b.Number })
	return out
}

func (f *Fake) ensureLabel(rs *repoState, name string) *labelState {
	key := strings.ToLower(name)
	if l, ok := rs.labels[key]; ok {
		return l
	}
	l := &labelState{id: f.newID(), name: name, color: "ededed"}
	rs.labels[key] = l
	return l
}

// --- JSON ---

func (f *Fake) labelJSON(rs *repoState, name string) map[string]any {
	l := f.ensureLabel(rs, name)
	return map[string]any{
		"id":          l.id,
		"node_id":     nodeID("Label", l.id),
		"url":         f.api("repos/%s/%s/labels/%s", rs.Owner, rs.Name, url.PathEscape(l.name)),
		"name":        l.name,
		"color":       l.color,
		"default":     false,
		"description": strOrNil(l.description),
	}
}

func reactionsJSON(api string) map[string]any {
	return map[string]any{
		"url": api + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
		"hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0,
	}
}

func (f *Fake) authorAssociation(login string) string {
	if strings.EqualFold(login, f.BotLogin()) {
		return "NONE"
	}
	return "MEMBER"
}

func (f *Fake) viaApp(login string) any {
	if strings.EqualFold(login, f.BotLogin()) {
		return f.integrationJSON()
	}
	return nil
}

func (f *Fake) issueJSON(rs *repoState, is *issueState) map[string]any {
	o, r := rs.Owner, rs.Name
	api := f.api("repos/%s/%s/issues/%d", o, r, is.Number)
	labels := []any{}
	for _, l := range is.Labels {
		labels = append(labels, f.labelJSON(rs, l))
	}
	html := f.web("%s/%s/issues/%d", o, r, is.Number)
	if is.pr != nil {
		html = f.web("%s/%s/pull/%d", o, r, is.Number)
	}
	out := map[string]any{
		"url":                      api,
		"repository_url":           f.api("repos/%s/%s", o, r),
		"labels_url":               api + "/labels{/name}",
		"comments_url":             api + "/comments",
		"events_url":               api + "/events",
		"html_url":                 html,
		"id":                       is.ID,
		"node_id":                  nodeID("Issue", is.ID),
		"number":                   is.Number,
		"title":                    is.Title,
		"user":                     f.userJSON(is.Author),
		"labels":                   labels,
		"state":                    is.State,
		"locked":                   is.Locked,
		"assignee":                 nil,
		"assignees":                []any{},
		"milestone":                nil,
		"comments":                 len(is.comments),
		"created_at":               ts(is.CreatedAt),
		"updated_at":               ts(is.UpdatedAt),
		"closed_at":                tsOrNil(is.ClosedAt),
		"author_association":       f.authorAssociation(is.Author),
		"active_lock_reason":       nil,
		"body":                     strOrNil(is.Body),
		"reactions":                reactionsJSON(api),
		"timeline_url":             api + "/timeline",
		"performed_via_github_app": f.viaApp(is.Author),
		"state_reason":             strOrNil(is.StateReason),
		"draft":                    false,
	}
	if is.pr != nil {
		pulls := f.api("repos/%s/%s/pulls/%d", o, r, is.Number)
		out["pull_request"] = map[string]any{
			"url":       pulls,
			"html_url":  html,
			"diff_url":  html + ".diff",
			"patch_url": html + ".patch",
			"merged_at": nil,
		}
		out["draft"] = is.pr.Draft
	}
	return out
}

func (f *Fake) commentJSON(rs *repoState, c *IssueComment) map[string]any {
	api := f.api("repos/%s/%s/issues/comments/%d", rs.Owner, rs.Name, c.ID)
	return map[string]any{
		"url":                      api,
		"html_url":                 f.web("%s/%s/issues/%d#issuecomment-%d", rs.Owner, rs.Name, c.IssueNumber, c.ID),
		"issue_url":                f.api("repos/%s/%s/issues/%d", rs.Owner, rs.Name, c.IssueNumber),
		"id":                       c.ID,
		"node_id":                  nodeID("IssueComment", c.ID),
		"user":                     f.userJSON(c.Author),
		"created_at":               ts(c.CreatedAt),
		"updated_at":               ts(c.UpdatedAt),
		"author_association":       f.authorAssociation(c.Author),
		"body":                     c.Body,
		"reactions":                reactionsJSON(api),
		"performed_via_github_app": f.viaApp(c.Author),
	}
}

// --- endpoints ---

func (f *Fake) listIssues(c *call) *response {
	rs := c.rs
	state := c.queryValue("state")
	if state == "" {
		state = "open"
	}
	// By number is by creation, GitHub's default sort (newest first unless asc).
	var items []any
	for _, is := range sortedIssues(rs) {
		if state == "all" || is.State == state {
			items = append(items, f.issueJSON(rs, is))
		}
	}
	if c.queryValue("direction") != "asc" {
		slices.Reverse(items)
	}
	return paginate(c, items, func(page []any) any { return page })
}

// issueFields is the body of POST and PATCH issue requests.
type issueFields struct {
	Title  *string   `json:"title"`
	Body   *string   `json:"body"`
	State  *string   `json:"state"`
	Labels *[]string `json:"labels"`
}

func (f *Fake) validateIssueText(doc, title string, body *string) *response {
	if utf8.RuneCountInString(title) > maxIssueTitleChars {
		return validationError(doc, map[string]any{"resource": "Issue", "code": "custom", "field": "title", "message": fmt.Sprintf("title is too long (maximum is %d characters)", maxIssueTitleChars)})
	}
	if body != nil && utf8.RuneCountInString(*body) > maxIssueBodyChars {
		return validationError(doc, map[string]any{"resource": "Issue", "code": "custom", "field": "body", "message": fmt.Sprintf("body is too long (maximum is %d characters)", maxIssueBodyChars)})
	}
	return nil
}

func (f *Fake) createIssue(c *call, req *issueFields) *response {
	rs := c.rs
	if req.Title == nil || strings.TrimSpace(*req.Title) == "" {
		return validationError(c.rt.doc, map[string]any{"resource": "Issue", "code": "missing_field", "field": "title"})
	}
	if bad := f.validateIssueText(c.rt.doc, *req.Title, req.Body); bad != nil {
		return bad
	}
	is := Issue{Title: *req.Title, Author: f.BotLogin()}
	if req.Body != nil {
		is.Body = *req.Body
	}
	if req.Labels != nil {
		is.Labels = *req.Labels
	}
	st := f.newIssue(rs, is)
	resp := jsonResponse(http.StatusCreated, f.issueJSON(rs, st))
	resp.header.Set("Location", f.api("repos/%s/%s/issues/%d", rs.Owner, rs.Name, st.Number))
	return resp
}

func (f *Fake) getIssue(c *call) *response {
	return jsonResponse(http.StatusOK, f.issueJSON(c.rs, c.issue))
}

func (f *Fake) updateIssue(c *call, req *issueFields) *response {
	rs := c.rs
	is := c.issue
	if bad := f.validateIssueText(c.rt.doc, is.Title, req.Body); bad != nil {
		return bad
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		return validationError(c.rt.doc, map[string]any{"resource": "Issue", "code": "invalid", "field": "state"})
	}
	now := time.Now().UTC().Truncate(time.Second)
	if req.Body != nil && *req.Body != is.Body {
		old := is.Body
		is.prevBody = &old
		is.Body = *req.Body
	}
	if req.State != nil && *req.State != is.State {
		is.State = *req.State
		if is.State == "closed" {
			is.ClosedAt = &now
			is.StateReason = "completed"
		} else {
			is.ClosedAt = nil
			is.StateReason = "reopened"
		}
	}
	is.UpdatedAt = now
	return jsonResponse(http.StatusOK, f.issueJSON(rs, is))
}

func (f *Fake) listComments(c *call) *response {
	rs := c.rs
	is := c.issue
	var items []any
	for _, cm := range is.comments {
		items = append(items, f.commentJSON(rs, cm))
	}
	return paginate(c, items, func(page []any) any { return page })
}

type commentFields struct {
	Body *string `json:"body"`
}

func (f *Fake) validateCommentBody(doc string, body *string) *response {
	if body == nil || *body == "" {
		return validationError(doc, map[string]any{"resource": "IssueComment", "code": "missing_field", "field": "body"})
	}
	if utf8.RuneCountInString(*body) > maxIssueBodyChars {
		return validationError(doc, map[string]any{"resource": "IssueComment", "code": "custom", "field": "body", "message": fmt.Sprintf("Body is too long (maximum is %d characters)", maxIssueBodyChars)})
	}
	return nil
}

func (f *Fake) createComment(c *call, req *commentFields) *response {
	rs := c.rs
	is := c.issue
	if bad := f.validateCommentBody(c.rt.doc, req.Body); bad != nil {
		return bad
	}
	cm := f.newComment(is, f.BotLogin(), *req.Body)
	resp := jsonResponse(http.StatusCreated, f.commentJSON(rs, cm))
	resp.header.Set("Location", f.api("repos/%s/%s/issues/comments/%d", rs.Owner, rs.Name, cm.ID))
	return resp
}

func (f *Fake) updateComment(c *call, req *commentFields) *response {
	rs := c.rs
	is, cm := c.issue, c.comment
	if bad := f.validateCommentBody(c.rt.doc, req.Body); bad != nil {
		return bad
	}
	now := time.Now().UTC().Truncate(time.Second)
	cm.Body = *req.Body
	cm.UpdatedAt = now
	is.UpdatedAt = now
	return jsonResponse(http.StatusOK, f.commentJSON(rs, cm))
}
