package githubfake

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// This file renders the objects GitHub nests everywhere (users, repositories, the
// app, installations) with the fields GitHub sends.

// nodeID is a GitHub global node ID in the legacy format base64("0<len>:<Type><id>").
func nodeID(typ string, id any) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("0%d:%s%v", len(typ), typ, id)))
}

// defaultUser is the human who opens pull requests, pushes and sends events.
const defaultUser = "octocat"

// BotLogin is the app's bot user, the author of what the app creates.
func (f *Fake) BotLogin() string { return f.AppSlug + "[bot]" }

func (f *Fake) userType(login string) string {
	if strings.EqualFold(login, f.BotLogin()) {
		return "Bot"
	}
	if strings.EqualFold(login, f.AppOwner) {
		return "Organization"
	}
	for _, inst := range f.st.installations {
		if strings.EqualFold(inst.Account, login) {
			return "Organization"
		}
	}
	for _, rs := range f.st.repos {
		if strings.EqualFold(rs.Owner, login) {
			return "Organization"
		}
	}
	return "User"
}

// userJSON is a simple-user object.
func (f *Fake) userJSON(login string) map[string]any {
	id := f.userID(login)
	typ := f.userType(login)
	api := f.api("users/%s", url.PathEscape(login))
	html := f.web("%s", login)
	if typ == "Bot" {
		html = f.web("apps/%s", f.AppSlug)
	}
	return map[string]any{
		"login":               login,
		"id":                  id,
		"node_id":             nodeID(typ, id),
		"avatar_url":          fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id),
		"gravatar_id":         "",
		"url":                 api,
		"html_url":            html,
		"followers_url":       api + "/followers",
		"following_url":       api + "/following{/other_user}",
		"gists_url":           api + "/gists{/gist_id}",
		"starred_url":         api + "/starred{/owner}{/repo}",
		"subscriptions_url":   api + "/subscriptions",
		"organizations_url":   api + "/orgs",
		"repos_url":           api + "/repos",
		"events_url":          api + "/events{/privacy}",
		"received_events_url": api + "/received_events",
		"type":                typ,
		"user_view_type":      "public",
		"site_admin":          false,
	}
}

// orgJSON is the "organization" object of webhook payloads.
func (f *Fake) orgJSON(login string) map[string]any {
	id := f.userID(login)
	api := f.api("orgs/%s", login)
	return map[string]any{
		"login":              login,
		"id":                 id,
		"node_id":            nodeID("Organization", id),
		"url":                api,
		"repos_url":          api + "/repos",
		"events_url":         api + "/events",
		"hooks_url":          api + "/hooks",
		"issues_url":         api + "/issues",
		"members_url":        api + "/members{/member}",
		"public_members_url": api + "/public_members{/member}",
		"avatar_url":         fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id),
		"description":        "",
	}
}

type repoShape int

const (
	repoShapeList    repoShape = iota // "repository": lists, nested objects, most webhooks
	repoShapePush                     // push webhooks: dates as Unix seconds, stargazers, master_branch
	repoShapeWebhook                  // other webhooks
)

func (rs *repoState) openIssueCount() int {
	n := 0
	for _, is := range rs.issues {
		if is.State == "open" {
			n++
		}
	}
	return n
}

func (rs *repoState) sizeKB() int {
	total := 0
	for _, obj := range rs.objects {
		if obj.kind == "blob" {
			total += len(obj.raw)
		}
	}
	return (total + 1023) / 1024
}

// repoJSON renders a repository in one of GitHub's shapes.
func (f *Fake) repoJSON(rs *repoState, shape repoShape) map[string]any {
	o, n := rs.Owner, rs.Name
	api := f.api("repos/%s/%s", o, n)
	visibility := "public"
	if rs.Private {
		visibility = "private"
	}
	topics := rs.Topics
	if topics == nil {
		topics = []string{}
	}
	open := rs.openIssueCount()
	out := map[string]any{
		"id":                          rs.ID,
		"node_id":                     nodeID("Repository", rs.ID),
		"name":                        n,
		"full_name":                   o + "/" + n,
		"private":                     rs.Private,
		"owner":                       f.userJSON(o),
		"html_url":                    f.web("%s/%s", o, n),
		"description":                 strOrNil(rs.Description),
		"fork":                        rs.Fork,
		"url":                         api,
		"forks_url":                   api + "/forks",
		"keys_url":                    api + "/keys{/key_id}",
		"collaborators_url":           api + "/collaborators{/collaborator}",
		"teams_url":                   api + "/teams",
		"hooks_url":                   api + "/hooks",
		"issue_events_url":            api + "/issues/events{/number}",
		"events_url":                  api + "/events",
		"assignees_url":               api + "/assignees{/user}",
		"branches_url":                api + "/branches{/branch}",
		"tags_url":                    api + "/tags",
		"blobs_url":                   api + "/git/blobs{/sha}",
		"git_tags_url":                api + "/git/tags{/sha}",
		"git_refs_url":                api + "/git/refs{/sha}",
		"trees_url":                   api + "/git/trees{/sha}",
		"statuses_url":                api + "/statuses/{sha}",
		"languages_url":               api + "/languages",
		"stargazers_url":              api + "/stargazers",
		"contributors_url":            api + "/contributors",
		"subscribers_url":             api + "/subscribers",
		"subscription_url":            api + "/subscription",
		"commits_url":                 api + "/commits{/sha}",
		"git_commits_url":             api + "/git/commits{/sha}",
		"comments_url":                api + "/comments{/number}",
		"issue_comment_url":           api + "/issues/comments{/number}",
		"contents_url":                api + "/contents/{+path}",
		"compare_url":                 api + "/compare/{base}...{head}",
		"merges_url":                  api + "/merges",
		"archive_url":                 api + "/{archive_format}{/ref}",
		"downloads_url":               api + "/downloads",
		"issues_url":                  api + "/issues{/number}",
		"pulls_url":                   api + "/pulls{/number}",
		"milestones_url":              api + "/milestones{/number}",
		"notifications_url":           api + "/notifications{?since,all,participating}",
		"labels_url":                  api + "/labels{/name}",
		"releases_url":                api + "/releases{/id}",
		"deployments_url":             api + "/deployments",
		"created_at":                  ts(rs.CreatedAt),
		"updated_at":                  ts(rs.UpdatedAt),
		"pushed_at":                   ts(rs.PushedAt),
		"git_url":                     "git://github.com/" + o + "/" + n + ".git",
		"ssh_url":                     "git@github.com:" + o + "/" + n + ".git",
		"clone_url":                   "https://github.com/" + o + "/" + n + ".git",
		"svn_url":                     "https://github.com/" + o + "/" + n,
		"homepage":                    nil,
		"size":                        rs.sizeKB(),
		"stargazers_count":            0,
		"watchers_count":              0,
		"language":                    nil,
		"has_issues":                  rs.HasIssues,
		"has_projects":                true,
		"has_downloads":               true,
		"has_wiki":                    true,
		"has_pages":                   false,
		"has_discussions":             false,
		"forks_count":                 0,
		"mirror_url":                  nil,
		"archived":                    rs.Archived,
		"disabled":                    rs.Disabled,
		"open_issues_count":           open,
		"license":                     nil,
		"allow_forking":               true,
		"is_template":                 rs.IsTemplate,
		"web_commit_signoff_required": false,
		"topics":                      topics,
		"visibility":                  visibility,
		"forks":                       0,
		"open_issues":                 open,
		"watchers":                    0,
		"default_branch":              rs.DefaultBranch,
	}
	switch shape {
	case repoShapePush:
		out["created_at"] = rs.CreatedAt.Unix()
		out["pushed_at"] = rs.PushedAt.Unix()
		out["stargazers"] = 0
		out["master_branch"] = rs.DefaultBranch
		out["custom_properties"] = map[string]any{}
		owner := f.userJSON(o)
		owner["name"] = o
		owner["email"] = nil
		out["owner"] = owner
	case repoShapeWebhook:
		out["custom_properties"] = map[string]any{}
	}
	return out
}

// appPermissions are what the app asks for: the default installation's.
func appPermissions() map[string]any { return permissionsJSON(DefaultPermissions()) }

func appEvents() []any {
	return []any{"check_run", "check_suite", "issues", "pull_request", "push", "repository"}
}

// appCreatedAt is when the fake app was registered.
var appCreatedAt = time.Date(2023, 6, 1, 9, 0, 0, 0, time.UTC)

// integrationJSON is the app object (GET /app, check runs' "app").
func (f *Fake) integrationJSON() map[string]any {
	return map[string]any{
		"id":           f.AppID,
		"slug":         f.AppSlug,
		"node_id":      nodeID("App", f.AppID),
		"client_id":    fmt.Sprintf("Iv1.%016x", f.AppID),
		"owner":        f.userJSON(f.AppOwner),
		"name":         f.AppName,
		"description":  "",
		"external_url": "https://goldenpath.example.com",
		"html_url":     f.web("apps/%s", f.AppSlug),
		"created_at":   ts(appCreatedAt),
		"updated_at":   ts(appCreatedAt),
		"permissions":  appPermissions(),
		"events":       appEvents(),
	}
}

// installationJSON renders an installation; webhook payloads give dates as Unix
// seconds like GitHub's examples.
func (f *Fake) installationJSON(inst *installation) map[string]any {
	return map[string]any{
		"id":                        inst.ID,
		"client_id":                 fmt.Sprintf("Iv1.%016x", f.AppID),
		"account":                   f.userJSON(inst.Account),
		"repository_selection":      "all",
		"access_tokens_url":         f.api("app/installations/%d/access_tokens", inst.ID),
		"repositories_url":          f.api("installation/repositories"),
		"html_url":                  f.web("organizations/%s/settings/installations/%d", inst.Account, inst.ID),
		"app_id":                    f.AppID,
		"app_slug":                  f.AppSlug,
		"target_id":                 f.userID(inst.Account),
		"target_type":               f.userType(inst.Account),
		"permissions":               permissionsJSON(inst.Permissions),
		"events":                    appEvents(),
		"created_at":                ts(inst.CreatedAt),
		"updated_at":                ts(inst.CreatedAt),
		"single_file_name":          nil,
		"has_multiple_single_files": false,
		"single_file_paths":         []any{},
		"suspended_by":              nil,
		"suspended_at":              tsOrNil(inst.SuspendedAt),
	}
}
