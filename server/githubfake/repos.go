package githubfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Repo is a repository's settings, changed through UpdateRepo.
type Repo struct {
	ID            int64
	Owner         string
	Name          string
	DefaultBranch string
	Description   string
	Topics        []string
	Private       bool
	Archived      bool
	Fork          bool
	Disabled      bool
	// IsTemplate marks the repository itself as a template ("is_template").
	IsTemplate bool
	HasIssues  bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	PushedAt   time.Time
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// RepoOption sets up a repository in AddRepo.
type RepoOption func(*Repo)

// WithArchived marks the repository archived.
func WithArchived() RepoOption { return func(r *Repo) { r.Archived = true } }

// WithFork marks the repository a fork.
func WithFork() RepoOption { return func(r *Repo) { r.Fork = true } }

// WithDescription sets the description.
func WithDescription(d string) RepoOption { return func(r *Repo) { r.Description = d } }

// WithTopics sets the topics.
func WithTopics(topics ...string) RepoOption {
	return func(r *Repo) { r.Topics = slices.Clone(topics) }
}

// repoState is a repository with its git objects, issues and check runs.
type repoState struct {
	Repo
	objects      map[string]*gitObject
	branches     map[string]string
	prevHeads    map[string]string
	previousName string
	issues       map[int]*issueState
	nextNumber   int
	labels       map[string]*labelState // lower-case name
	checkRuns    []*checkRunState
	suites       map[string]int64 // head SHA → check suite ID
}

func (rs *repoState) empty() bool { return len(rs.branches) == 0 }

// AddRepo creates an empty repository (no branches until the first Commit) owned by
// org and returns its ID.
func (f *Fake) AddRepo(org, name string, opts ...RepoOption) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, exists := f.st.repoByName[strings.ToLower(org+"/"+name)]; exists {
		f.setupError("repository %s/%s already exists", org, name)
	}
	created := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second)
	r := Repo{Owner: org, Name: name, DefaultBranch: "main", HasIssues: true, CreatedAt: created, UpdatedAt: created, PushedAt: created}
	for _, o := range opts {
		o(&r)
	}
	if r.ID == 0 {
		r.ID = f.newID()
	}
	if _, taken := f.st.repos[r.ID]; taken {
		f.setupError("repository ID %d already used", r.ID)
	}
	f.userID(org)
	rs := &repoState{
		Repo:       r,
		objects:    map[string]*gitObject{},
		branches:   map[string]string{},
		prevHeads:  map[string]string{},
		issues:     map[int]*issueState{},
		nextNumber: 1,
		labels:     map[string]*labelState{},
		suites:     map[string]int64{},
	}
	f.st.repos[r.ID] = rs
	f.st.repoByName[strings.ToLower(rs.FullName())] = r.ID
	return r.ID
}

// UpdateRepo changes a repository's settings (not its ID, owner or name: see RenameRepo).
func (f *Fake) UpdateRepo(org, name string, change func(*Repo)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, name)
	r := rs.Repo
	change(&r)
	r.ID, r.Owner, r.Name = rs.ID, rs.Owner, rs.Name
	r.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	rs.Repo = r
}

// RenameRepo renames a repository. Requests for the old name are redirected like
// GitHub does (301 for GET, 307 otherwise, to /repositories/{id}/...).
func (f *Fake) RenameRepo(org, oldName, newName string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, oldName)
	delete(f.st.repoByName, strings.ToLower(rs.FullName()))
	f.st.movedRepos[strings.ToLower(rs.FullName())] = rs.ID
	rs.previousName = rs.Name
	rs.Name = newName
	rs.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	f.st.repoByName[strings.ToLower(rs.FullName())] = rs.ID
	delete(f.st.movedRepos, strings.ToLower(rs.FullName()))
}

// DeleteRepo deletes a repository.
func (f *Fake) DeleteRepo(org, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, name)
	delete(f.st.repoByName, strings.ToLower(rs.FullName()))
	delete(f.st.repos, rs.ID)
	for k, id := range f.st.movedRepos {
		if id == rs.ID {
			delete(f.st.movedRepos, k)
		}
	}
}

func (f *Fake) mustRepo(org, name string) *repoState {
	rs := f.repoByFullName(org + "/" + name)
	if rs == nil {
		f.setupError("no repository %s/%s", org, name)
	}
	return rs
}

func (f *Fake) repoByFullName(fullName string) *repoState {
	id, ok := f.st.repoByName[strings.ToLower(fullName)]
	if !ok {
		return nil
	}
	return f.st.repos[id]
}

func (f *Fake) sortedRepos() []*repoState {
	var out []*repoState
	for _, rs := range f.st.repos {
		out = append(out, rs)
	}
	slices.SortFunc(out, func(a, b *repoState) int { return cmpInt64(a.ID, b.ID) })
	return out
}

// userID gives every login a stable ID.
func (f *Fake) userID(login string) int64 {
	key := strings.ToLower(login)
	if id, ok := f.st.users[key]; ok {
		return id
	}
	id := f.newID()
	f.st.users[key] = id
	return id
}

// lookupRepo finds the repository a /repos/{owner}/{repo} or /repositories/{id}
// request names, without checking access. A renamed repository's old name gives
// GitHub's redirect.
func (f *Fake) lookupRepo(c *call) (*repoState, *response) {
	if idText := c.param("repository_id"); idText != "" {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return nil, nil
		}
		return f.st.repos[id], nil
	}
	full := c.param("owner") + "/" + c.param("repo")
	if rs := f.repoByFullName(full); rs != nil {
		return rs, nil
	}
	id, moved := f.st.movedRepos[strings.ToLower(full)]
	if !moved || f.st.repos[id] == nil || (c.who.kind == identityInstallation && !f.canSee(c.who, f.st.repos[id])) {
		return nil, nil
	}
	rest := strings.TrimPrefix(c.r.URL.Path, "/repos/"+c.param("owner")+"/"+c.param("repo"))
	location := f.api("repositories/%d%s", id, rest)
	if c.r.URL.RawQuery != "" {
		location += "?" + c.r.URL.RawQuery
	}
	status := http.StatusMovedPermanently
	message := "Moved Permanently"
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		status, message = http.StatusTemporaryRedirect, "Temporary Redirect"
	}
	resp := jsonResponse(status, map[string]any{
		"message":           message,
		"url":               location,
		"documentation_url": "https://docs.github.com/v3/#http-redirects",
	})
	resp.header.Set("Location", location)
	return nil, resp
}

func gitRepositoryEmpty(doc string) *response {
	return problem(http.StatusConflict, "Git Repository is empty.", doc)
}

// --- endpoints ---

func (f *Fake) getBranch(c *call) *response {
	rs := c.rs
	name := c.param("branch")
	sha, ok := rs.branches[name]
	if !ok {
		return problem(http.StatusNotFound, "Branch not found", c.rt.doc)
	}
	return jsonResponse(http.StatusOK, map[string]any{
		"name":   name,
		"commit": f.commitJSON(rs, sha),
		"_links": map[string]any{
			"self": f.api("repos/%s/%s/branches/%s", rs.Owner, rs.Name, name),
			"html": f.web("%s/%s/tree/%s", rs.Owner, rs.Name, name),
		},
		"protected": false,
		"protection": map[string]any{
			"enabled": false,
			"required_status_checks": map[string]any{
				"enforcement_level": "off",
				"contexts":          []any{},
				"checks":            []any{},
			},
		},
		"protection_url": f.api("repos/%s/%s/branches/%s/protection", rs.Owner, rs.Name, name),
	})
}

// commitJSON is the commits API's view of a commit (a branch's "commit").
func (f *Fake) commitJSON(rs *repoState, sha string) map[string]any {
	gc := rs.objects[sha].commit
	o, r := rs.Owner, rs.Name
	var parents []any
	for _, p := range gc.parents {
		parents = append(parents, map[string]any{
			"sha":      p,
			"url":      f.api("repos/%s/%s/commits/%s", o, r, p),
			"html_url": f.web("%s/%s/commit/%s", o, r, p),
		})
	}
	return map[string]any{
		"sha":          sha,
		"node_id":      nodeID("Commit", sha),
		"url":          f.api("repos/%s/%s/commits/%s", o, r, sha),
		"html_url":     f.web("%s/%s/commit/%s", o, r, sha),
		"comments_url": f.api("repos/%s/%s/commits/%s/comments", o, r, sha),
		"commit": map[string]any{
			"url":           f.api("repos/%s/%s/git/commits/%s", o, r, sha),
			"author":        sigJSON(gc.author),
			"committer":     sigJSON(gc.committer),
			"message":       strings.TrimSuffix(gc.message, "\n"),
			"comment_count": 0,
			"tree": map[string]any{
				"sha": gc.tree,
				"url": f.api("repos/%s/%s/git/trees/%s", o, r, gc.tree),
			},
			"verification": unverified(),
		},
		"author":    f.userJSON("octocat"),
		"committer": f.userJSON("octocat"),
		"parents":   nonNil(parents),
	}
}

func (f *Fake) refJSON(rs *repoState, branch string) map[string]any {
	sha := rs.branches[branch]
	return map[string]any{
		"ref":     "refs/heads/" + branch,
		"node_id": nodeID("Ref", rs.FullName()+":"+branch),
		"url":     f.api("repos/%s/%s/git/refs/heads/%s", rs.Owner, rs.Name, branch),
		"object": map[string]any{
			"sha":  sha,
			"type": "commit",
			"url":  f.api("repos/%s/%s/git/commits/%s", rs.Owner, rs.Name, sha),
		},
	}
}

// maxContentsInline is the largest file the contents API returns inline; larger
// files come back with encoding "none" and empty content (GitHub: 1 MB).
const maxContentsInline = 1 << 20

func (f *Fake) getContents(c *call) *response {
	rs := c.rs
	if rs.empty() {
		return problem(http.StatusNotFound, "This repository is empty.", c.rt.doc)
	}
	ref := c.queryValue("ref")
	if ref == "" {
		ref = rs.DefaultBranch
	}
	commit := rs.resolveCommit(ref)
	if commit == "" {
		return problem(http.StatusNotFound, "No commit found for the ref "+ref, c.rt.doc)
	}
	p := strings.Trim(c.param("path"), "/")
	entry := treeEntry{mode: modeTree, sha: rs.objects[commit].commit.tree}
	if p != "" {
		for _, part := range strings.Split(p, "/") {
			obj := rs.objects[entry.sha]
			if !entry.isTree() || obj == nil {
				return notFound(c.rt.doc)
			}
			i := slices.IndexFunc(obj.entries, func(e treeEntry) bool { return e.name == part })
			if i < 0 {
				return notFound(c.rt.doc)
			}
			entry = obj.entries[i]
		}
	}
	if !entry.isTree() {
		content := rs.objects[entry.sha].raw
		item := f.contentItem(rs, ref, p, entry)
		item["encoding"] = "base64"
		item["content"] = githubBase64(content)
		if len(content) > maxContentsInline {
			item["encoding"] = "none"
			item["content"] = ""
		}
		return jsonResponse(http.StatusOK, item)
	}
	var items []any
	for _, e := range rs.objects[entry.sha].entries {
		items = append(items, f.contentItem(rs, ref, strings.TrimPrefix(p+"/"+e.name, "/"), e))
	}
	return jsonResponse(http.StatusOK, nonNil(items))
}

func (f *Fake) contentItem(rs *repoState, ref, p string, e treeEntry) map[string]any {
	o, r := rs.Owner, rs.Name
	name := p[strings.LastIndex(p, "/")+1:]
	self := f.api("repos/%s/%s/contents/%s?ref=%s", o, r, p, ref)
	item := map[string]any{"name": name, "path": p, "sha": e.sha, "url": self}
	if e.isTree() {
		git := f.api("repos/%s/%s/git/trees/%s", o, r, e.sha)
		html := f.web("%s/%s/tree/%s/%s", o, r, ref, p)
		item["type"], item["size"], item["git_url"], item["html_url"], item["download_url"] = "dir", 0, git, html, nil
		item["_links"] = map[string]any{"self": self, "git": git, "html": html}
		return item
	}
	git := f.api("repos/%s/%s/git/blobs/%s", o, r, e.sha)
	html := f.web("%s/%s/blob/%s/%s", o, r, ref, p)
	item["type"], item["size"], item["git_url"], item["html_url"] = "file", len(rs.objects[e.sha].raw), git, html
	item["download_url"] = "https://raw.githubusercontent.com/" + o + "/" + r + "/" + ref + "/" + p
	item["_links"] = map[string]any{"self": self, "git": git, "html": html}
	return item
}
