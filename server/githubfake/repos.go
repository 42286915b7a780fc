package githubfake

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Repo is a repository's settings and state, as returned by Fake.Repo.
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
	// TemplateRepository is "owner/name" of the template it was generated from
	// ("template_repository"), or "".
	TemplateRepository string
	HasIssues          bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	PushedAt           time.Time
	// Branches maps branch names to commit SHAs (filled in copies only).
	Branches map[string]string
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// RepoOption sets up a repository in AddRepo.
type RepoOption func(*Repo)

// WithDefaultBranch sets the default branch (default "main").
func WithDefaultBranch(name string) RepoOption { return func(r *Repo) { r.DefaultBranch = name } }

// WithArchived marks the repository archived.
func WithArchived() RepoOption { return func(r *Repo) { r.Archived = true } }

// WithFork marks the repository a fork.
func WithFork() RepoOption { return func(r *Repo) { r.Fork = true } }

// WithPrivate makes the repository private.
func WithPrivate() RepoOption { return func(r *Repo) { r.Private = true } }

// WithTemplateRepository records the template ("owner/name") the repository was generated from.
func WithTemplateRepository(fullName string) RepoOption {
	return func(r *Repo) { r.TemplateRepository = fullName }
}

// AsTemplate marks the repository itself as a template.
func AsTemplate() RepoOption { return func(r *Repo) { r.IsTemplate = true } }

// WithDescription sets the description.
func WithDescription(d string) RepoOption { return func(r *Repo) { r.Description = d } }

// WithTopics sets the topics.
func WithTopics(topics ...string) RepoOption {
	return func(r *Repo) { r.Topics = slices.Clone(topics) }
}

// WithoutIssues disables issues (issue endpoints then answer 410 Gone).
func WithoutIssues() RepoOption { return func(r *Repo) { r.HasIssues = false } }

// WithRepoID fixes the repository ID (otherwise one is assigned).
func WithRepoID(id int64) RepoOption { return func(r *Repo) { r.ID = id } }

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
	r.Branches = nil
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
	r.ID, r.Owner, r.Name, r.Branches = rs.ID, rs.Owner, rs.Name, nil
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

// Repo returns a copy of the repository's state.
func (f *Fake) Repo(org, name string) Repo {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, name)
	r := rs.Repo
	r.Topics = slices.Clone(rs.Topics)
	r.Branches = maps.Clone(rs.branches)
	return r
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

// repoFor finds the request's repository and checks that the token reaches it:
// a repository the installation cannot see is 404, as on GitHub.
func (f *Fake) repoFor(c *call) (*repoState, *response) {
	rs, redirect := f.lookupRepo(c)
	if redirect != nil {
		return nil, redirect
	}
	if rs == nil || !f.canSee(c.who, rs) {
		return nil, notFound(c.rt.doc)
	}
	return rs, nil
}

func gitRepositoryEmpty(doc string) *response {
	return problem(http.StatusConflict, "Git Repository is empty.", doc)
}

// --- endpoints ---

func (f *Fake) getRepo(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
	return jsonResponse(http.StatusOK, f.repoJSON(rs, repoShapeFull))
}

func (f *Fake) listBranches(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
	names := slices.Sorted(maps.Keys(rs.branches))
	var items []any
	for _, name := range names {
		sha := rs.branches[name]
		items = append(items, map[string]any{
			"name":      name,
			"commit":    map[string]any{"sha": sha, "url": f.api("repos/%s/%s/commits/%s", rs.Owner, rs.Name, sha)},
			"protected": false,
		})
	}
	return paginate(c, items, func(page []any) any { return page })
}

func (f *Fake) getBranch(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
	name := c.param("branch")
	sha, ok := rs.branches[name]
	if !ok {
		return problem(http.StatusNotFound, "Branch not found", c.rt.doc)
	}
	return jsonResponse(http.StatusOK, map[string]any{
		"name":   name,
		"commit": f.commitJSON(rs, sha, false),
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

func (f *Fake) getCommit(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
	if rs.empty() {
		return gitRepositoryEmpty(c.rt.doc)
	}
	ref := c.param("ref")
	sha := rs.resolveCommit(ref)
	if sha == "" {
		return problem(http.StatusUnprocessableEntity, "No commit found for SHA: "+ref, c.rt.doc)
	}
	if accept := c.r.Header.Get("Accept"); strings.Contains(accept, "vnd.github.sha") || strings.Contains(accept, "vnd.github.v3.sha") {
		resp := rawResponse(http.StatusOK, "application/vnd.github.sha; charset=utf-8", []byte(sha))
		resp.etag = `"` + sha + `"`
		return resp
	}
	return jsonResponse(http.StatusOK, f.commitJSON(rs, sha, true))
}

// commitJSON is the commits API's view of a commit; withFiles adds stats and files
// (compared with the first parent).
func (f *Fake) commitJSON(rs *repoState, sha string, withFiles bool) map[string]any {
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
	out := map[string]any{
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
	if !withFiles {
		return out
	}
	base := emptyTreeSHA
	if len(gc.parents) > 0 {
		base = rs.objects[gc.parents[0]].commit.tree
	}
	var files []any
	additions, deletions := 0, 0
	for _, ch := range rs.changedFiles(base, gc.tree) {
		lines := lineCount(rs.objects[ch.sha].raw)
		add, del := 0, 0
		switch ch.mode {
		case "added":
			add = lines
		case "removed":
			del = lines
		default:
			add, del = lines, 0
		}
		additions += add
		deletions += del
		files = append(files, map[string]any{
			"sha":          ch.sha,
			"filename":     ch.path,
			"status":       ch.mode,
			"additions":    add,
			"deletions":    del,
			"changes":      add + del,
			"blob_url":     f.web("%s/%s/blob/%s/%s", o, r, sha, ch.path),
			"raw_url":      f.web("%s/%s/raw/%s/%s", o, r, sha, ch.path),
			"contents_url": f.api("repos/%s/%s/contents/%s?ref=%s", o, r, ch.path, sha),
		})
	}
	out["stats"] = map[string]any{"additions": additions, "deletions": deletions, "total": additions + deletions}
	out["files"] = nonNil(files)
	return out
}

// emptyTreeSHA is git's well-known empty tree.
const emptyTreeSHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

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

// refsWithPrefix lists branch refs whose full name ("refs/heads/...") starts with
// "refs/" + prefix.
func (f *Fake) refsWithPrefix(rs *repoState, prefix string) []any {
	var out []any
	for _, name := range slices.Sorted(maps.Keys(rs.branches)) {
		if strings.HasPrefix("refs/heads/"+name, "refs/"+prefix) {
			out = append(out, f.refJSON(rs, name))
		}
	}
	return out
}

func (f *Fake) getRef(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
	if rs.empty() {
		return gitRepositoryEmpty(c.rt.doc)
	}
	if branch, ok := strings.CutPrefix(c.param("ref"), "heads/"); ok {
		if _, exists := rs.branches[branch]; exists {
			return jsonResponse(http.StatusOK, f.refJSON(rs, branch))
		}
	}
	return notFound(c.rt.doc)
}

// getRefsLegacy serves GET /git/refs/{ref}: the exact ref as an object, otherwise
// every ref under it as an array (GitHub's older behaviour, still served).
func (f *Fake) getRefsLegacy(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
	if rs.empty() {
		return gitRepositoryEmpty(c.rt.doc)
	}
	ref := strings.TrimSuffix(c.param("ref"), "/")
	if branch, ok := strings.CutPrefix(ref, "heads/"); ok {
		if _, exists := rs.branches[branch]; exists {
			return jsonResponse(http.StatusOK, f.refJSON(rs, branch))
		}
	}
	matches := f.refsWithPrefix(rs, ref+"/")
	if len(matches) == 0 {
		return notFound(c.rt.doc)
	}
	return paginate(c, matches, func(page []any) any { return page })
}

func (f *Fake) listMatchingRefs(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
	if rs.empty() {
		return gitRepositoryEmpty(c.rt.doc)
	}
	return jsonResponse(http.StatusOK, nonNil(f.refsWithPrefix(rs, c.param("ref"))))
}

// maxContentsInline is the largest file the contents API returns inline; larger
// files come back with encoding "none" and empty content (GitHub: 1 MB).
const maxContentsInline = 1 << 20

func (f *Fake) getContents(c *call) *response {
	rs, errResp := f.repoFor(c)
	if errResp != nil {
		return errResp
	}
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
		if wantsRaw(c.r) {
			return rawResponse(http.StatusOK, "application/vnd.github.raw; charset=utf-8", content)
		}
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
	item["download_url"] = f.api("_raw/%s/%s/%s/%s", o, r, ref, p)
	item["_links"] = map[string]any{"self": self, "git": git, "html": html}
	return item
}

// getRaw serves download_url (GitHub's raw.githubusercontent.com).
func (f *Fake) getRaw(c *call) *response {
	rs := f.repoByFullName(c.param("owner") + "/" + c.param("repo"))
	if rs == nil {
		return rawResponse(http.StatusNotFound, "text/plain; charset=utf-8", []byte("404: Not Found"))
	}
	commit := rs.resolveCommit(c.param("ref"))
	if commit == "" {
		return rawResponse(http.StatusNotFound, "text/plain; charset=utf-8", []byte("404: Not Found"))
	}
	for _, e := range rs.listTree(rs.objects[commit].commit.tree, true) {
		if e.path == c.param("path") && !e.isTree() {
			return rawResponse(http.StatusOK, "text/plain; charset=utf-8", rs.objects[e.sha].raw)
		}
	}
	return rawResponse(http.StatusNotFound, "text/plain; charset=utf-8", []byte("404: Not Found"))
}
