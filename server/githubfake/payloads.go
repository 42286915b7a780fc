package githubfake

import (
	"slices"
	"strings"
	"time"
)

// Payload is a webhook payload as built from the fake's state; tests may change
// fields before sending it with Webhook or Deliver.
type Payload = map[string]any

const zeroSHA = "0000000000000000000000000000000000000000"

// The builders below render the payloads of the events the app handles from the
// fake's current state, with the fields and shapes of GitHub's real payloads (see
// shared/ref/github/webhooks). Repository events carry "installation" when an
// installation covers the repository.

func (f *Fake) repoEventBase(action string, rs *repoState, shape repoShape) Payload {
	p := Payload{
		"repository":   f.repoJSON(rs, shape),
		"organization": f.orgJSON(rs.Owner),
		"sender":       f.userJSON(defaultUser),
	}
	if action != "" {
		p["action"] = action
	}
	if inst := f.installationFor(rs); inst != nil {
		p["installation"] = map[string]any{"id": inst.ID, "node_id": nodeID("IntegrationInstallation", inst.ID)}
	}
	return p
}

// PullRequestEvent builds a pull_request payload (opened, synchronize, reopened,
// edited, closed, ...). synchronize carries "before" (the previous head) and "after".
func (f *Fake) PullRequestEvent(action, org, repo string, number int) Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	is := f.mustPull(rs, number)
	p := f.repoEventBase(action, rs, repoShapeWebhook)
	p["number"] = number
	pull := f.pullJSON(rs, is)
	// Webhooks nest repositories with their custom properties.
	for _, side := range []string{"head", "base"} {
		pull[side].(map[string]any)["repo"].(map[string]any)["custom_properties"] = map[string]any{}
	}
	p["pull_request"] = pull
	switch action {
	case "synchronize":
		before := is.pr.prevHeadSHA
		if before == "" {
			before = zeroSHA
		}
		p["before"], p["after"] = before, is.pr.HeadSHA
	case "edited":
		p["changes"] = map[string]any{}
	}
	return p
}

func (f *Fake) branchAt(rs *repoState, sha string) any {
	if rs.branches[rs.DefaultBranch] == sha {
		return rs.DefaultBranch
	}
	for _, name := range sortedKeys(rs.branches) {
		if rs.branches[name] == sha {
			return name
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (f *Fake) suiteJSON(rs *repoState, sha, status string, conclusion any) map[string]any {
	id := f.checkSuiteID(rs, sha)
	before := zeroSHA
	if gc := rs.objects[sha].commit; len(gc.parents) > 0 {
		before = gc.parents[0]
	}
	now := ts(time.Now())
	return map[string]any{
		"id":            id,
		"node_id":       nodeID("CheckSuite", id),
		"head_branch":   f.branchAt(rs, sha),
		"head_sha":      sha,
		"status":        status,
		"conclusion":    conclusion,
		"url":           f.api("repos/%s/%s/check-suites/%d", rs.Owner, rs.Name, id),
		"before":        before,
		"after":         sha,
		"pull_requests": f.openPullsWithHead(rs, sha),
		"app":           f.integrationJSON(),
		"created_at":    now,
		"updated_at":    now,
	}
}

// RequestedActionEvent builds the check_run requested_action payload GitHub
// sends when a person presses one of the run's buttons; the run must offer it.
func (f *Fake) RequestedActionEvent(org, repo string, checkRunID int64, identifier string) Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	cr := rs.findCheckRun(checkRunID)
	if cr == nil {
		f.setupError("no check run %d in %s", checkRunID, rs.FullName())
	}
	if !slices.ContainsFunc(cr.Actions, func(a CheckRunAction) bool { return a.Identifier == identifier }) {
		f.setupError("check run %d of %s offers no action %q", checkRunID, rs.FullName(), identifier)
	}
	run := f.checkRunJSON(rs, cr)
	run["check_suite"] = f.suiteJSON(rs, cr.HeadSHA, cr.Status, strOrNil(cr.Conclusion))
	p := f.repoEventBase("requested_action", rs, repoShapeWebhook)
	p["check_run"] = run
	p["requested_action"] = map[string]any{"identifier": identifier}
	return p
}

// PushEvent builds a push payload for the last move of branch: "before" is where
// the branch was, "after" where it is (zeros for a created or deleted branch), with
// the commits in between.
func (f *Fake) PushEvent(org, repo, branch string) Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	before, after := rs.prevHeads[branch], rs.branches[branch]
	if before == "" {
		before = zeroSHA
	}
	if after == "" {
		after = zeroSHA
	}
	var commits []any
	if after != zeroSHA {
		for sha := after; sha != "" && sha != before; {
			commits = append(commits, f.pushCommitJSON(rs, sha))
			gc := rs.objects[sha].commit
			if len(gc.parents) == 0 || before == zeroSHA {
				break
			}
			sha = gc.parents[0]
		}
		slices.Reverse(commits)
	}
	var head any
	if after != zeroSHA {
		head = f.pushCommitJSON(rs, after)
	}
	p := f.repoEventBase("", rs, repoShapePush)
	p["ref"] = "refs/heads/" + branch
	p["before"] = before
	p["after"] = after
	p["created"] = before == zeroSHA
	p["deleted"] = after == zeroSHA
	p["forced"] = false
	p["base_ref"] = nil
	p["compare"] = f.web("%s/%s/compare/%s...%s", rs.Owner, rs.Name, before[:12], after[:12])
	p["commits"] = nonNil(commits)
	p["head_commit"] = head
	p["pusher"] = map[string]any{"name": defaultUser, "email": "octocat@github.com"}
	return p
}

func (f *Fake) pushCommitJSON(rs *repoState, sha string) map[string]any {
	gc := rs.objects[sha].commit
	var added, removed, modified []any
	base := emptyTreeSHA
	if len(gc.parents) > 0 {
		base = rs.objects[gc.parents[0]].commit.tree
	}
	for _, ch := range rs.changedFiles(base, gc.tree) {
		switch ch.mode {
		case "added":
			added = append(added, ch.path)
		case "removed":
			removed = append(removed, ch.path)
		default:
			modified = append(modified, ch.path)
		}
	}
	person := func(s gitSignature) map[string]any {
		return map[string]any{"name": s.name, "email": s.email, "username": defaultUser}
	}
	return map[string]any{
		"id":        sha,
		"tree_id":   gc.tree,
		"distinct":  true,
		"message":   strings.TrimSuffix(gc.message, "\n"),
		"timestamp": gc.committer.when.Format(time.RFC3339),
		"url":       f.web("%s/%s/commit/%s", rs.Owner, rs.Name, sha),
		"author":    person(gc.author),
		"committer": person(gc.committer),
		"added":     nonNil(added),
		"removed":   nonNil(removed),
		"modified":  nonNil(modified),
	}
}

func (f *Fake) installationHookJSON(inst *installation) map[string]any {
	out := f.installationJSON(inst)
	out["created_at"] = inst.CreatedAt.Unix()
	out["updated_at"] = inst.CreatedAt.Unix()
	return out
}

func (f *Fake) repoRefJSON(rs *repoState) map[string]any {
	return map[string]any{
		"id":        rs.ID,
		"node_id":   nodeID("Repository", rs.ID),
		"name":      rs.Name,
		"full_name": rs.FullName(),
		"private":   rs.Private,
	}
}

// InstallationEvent builds an installation payload (created, deleted, suspend, ...)
// listing the repositories the installation covers.
func (f *Fake) InstallationEvent(action string, installationID int64) Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	inst := f.mustInstallation(installationID)
	var repos []any
	for _, rs := range f.sortedRepos() {
		if inst.covers(rs) {
			repos = append(repos, f.repoRefJSON(rs))
		}
	}
	return Payload{
		"action":       action,
		"installation": f.installationHookJSON(inst),
		"repositories": nonNil(repos),
		"requester":    nil,
		"sender":       f.userJSON(defaultUser),
	}
}

// RepositoryEvent builds a repository payload (created, renamed, archived,
// unarchived, edited, deleted, ...). For "renamed" the changes carry the name before
// the last RenameRepo; build a "deleted" payload before DeleteRepo.
func (f *Fake) RepositoryEvent(action, org, repo string) Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	p := f.repoEventBase(action, rs, repoShapeWebhook)
	switch action {
	case "renamed":
		p["changes"] = map[string]any{"repository": map[string]any{"name": map[string]any{"from": rs.previousName}}}
	case "edited":
		p["changes"] = map[string]any{}
	}
	return p
}

// IssuesEvent builds an issues payload (opened, edited, closed, ...). For "edited"
// the changes carry the body before the last edit (EditIssue, or the app's own PATCH).
func (f *Fake) IssuesEvent(action, org, repo string, number int) Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	is := rs.issues[number]
	if is == nil {
		f.setupError("no issue %s#%d", rs.FullName(), number)
	}
	p := f.repoEventBase(action, rs, repoShapeWebhook)
	p["issue"] = f.issueJSON(rs, is)
	if action == "edited" {
		changes := map[string]any{}
		if is.prevBody != nil {
			changes["body"] = map[string]any{"from": *is.prevBody}
		}
		p["changes"] = changes
	}
	return p
}

// PingEvent builds the ping GitHub sends when the app's webhook is set up.
func (f *Fake) PingEvent() Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := ts(appCreatedAt)
	return Payload{
		"zen":     "Design for failure.",
		"hook_id": 404040,
		"hook": map[string]any{
			"type":   "App",
			"id":     404040,
			"name":   "web",
			"active": true,
			"events": appEvents(),
			"config": map[string]any{
				"content_type": "json",
				"insecure_ssl": "0",
				"url":          f.WebhookURL,
			},
			"updated_at":     now,
			"created_at":     now,
			"app_id":         f.AppID,
			"deliveries_url": f.api("app/hook/deliveries"),
			"last_response":  map[string]any{"code": nil, "status": "unused", "message": nil},
		},
		"sender": f.userJSON(defaultUser),
	}
}
