package githubfake

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Writes through the Git data API: trees (with inline content), commits and
// refs, as an app pushes a branch without a clone. Each needs contents: write
// (the route table says so; resolve checks it).

// creatableModes are the modes a created tree's entries may have.
var creatableModes = map[string]bool{"100644": true, "100755": true, "040000": true, "160000": true, "120000": true}

// treeCreate is the body of POST git/trees.
type treeCreate struct {
	BaseTree string `json:"base_tree"`
	Tree     []struct {
		Path    string  `json:"path"`
		Mode    string  `json:"mode"`
		Type    string  `json:"type"`
		SHA     *string `json:"sha"`
		Content *string `json:"content"`
	} `json:"tree"`
}

func (f *Fake) createTree(c *call, req *treeCreate) *response {
	rs := c.rs
	if req.Tree == nil {
		return invalidRequest(c.rt.doc, `"tree" wasn't supplied.`)
	}
	files := map[string]treeEntry{}
	if req.BaseTree != "" {
		base := rs.findObject(req.BaseTree, "tree")
		if base == "" {
			return problem(http.StatusUnprocessableEntity, "Invalid tree info", c.rt.doc)
		}
		for _, e := range rs.listTree(base, true) {
			if !e.isTree() {
				files[e.path] = e.treeEntry
			}
		}
	}
	for _, e := range req.Tree {
		if !creatableModes[e.Mode] || e.Path == "" || (e.SHA != nil && e.Content != nil) {
			return problem(http.StatusUnprocessableEntity, "Invalid tree info", c.rt.doc)
		}
		switch {
		case e.Content != nil:
			files[e.Path] = treeEntry{mode: e.Mode, sha: rs.putBlob([]byte(*e.Content))}
		case e.SHA == nil:
			// A null sha removes the path, or everything under it.
			delete(files, e.Path)
			for p := range files {
				if strings.HasPrefix(p, e.Path+"/") {
					delete(files, p)
				}
			}
		case e.Mode == "040000":
			// Only blobs are kept by path: a subtree given by SHA is expanded.
			if rs.findObject(*e.SHA, "tree") == "" {
				return problem(http.StatusUnprocessableEntity, "tree.sha "+*e.SHA+" is not a valid tree", c.rt.doc)
			}
			for _, sub := range rs.listTree(*e.SHA, true) {
				if !sub.isTree() {
					files[e.Path+"/"+sub.path] = sub.treeEntry
				}
			}
		default:
			if rs.findObject(*e.SHA, "blob") == "" {
				return problem(http.StatusUnprocessableEntity, "tree.sha "+*e.SHA+" is not a valid blob", c.rt.doc)
			}
			files[e.Path] = treeEntry{mode: e.Mode, sha: *e.SHA}
		}
	}
	sha, err := rs.writePaths(files)
	if err != nil {
		return problem(http.StatusUnprocessableEntity, "Invalid tree info", c.rt.doc)
	}
	base := f.api("repos/%s/%s/git/", rs.Owner, rs.Name)
	var items []any
	for _, e := range rs.listTree(sha, false) {
		item := map[string]any{"path": e.path, "mode": apiMode(e.treeEntry), "sha": e.sha}
		if e.isTree() {
			item["type"], item["url"] = "tree", base+"trees/"+e.sha
		} else {
			item["type"], item["size"], item["url"] = "blob", len(rs.objects[e.sha].raw), base+"blobs/"+e.sha
		}
		items = append(items, item)
	}
	resp := jsonResponse(http.StatusCreated, map[string]any{"sha": sha, "url": base + "trees/" + sha, "tree": nonNil(items), "truncated": false})
	resp.header.Set("Location", base+"trees/"+sha)
	return resp
}

// commitCreate is the body of POST git/commits.
type commitCreate struct {
	Message *string  `json:"message"`
	Tree    string   `json:"tree"`
	Parents []string `json:"parents"`
	Author  *struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"author"`
}

func (f *Fake) createGitCommit(c *call, req *commitCreate) *response {
	rs := c.rs
	if req.Message == nil {
		return invalidRequest(c.rt.doc, `"message" wasn't supplied.`)
	}
	tree := rs.findObject(req.Tree, "tree")
	if tree == "" {
		return problem(http.StatusUnprocessableEntity, "Tree SHA does not exist", c.rt.doc)
	}
	var parents []string
	for _, p := range req.Parents {
		sha := rs.findObject(p, "commit")
		if sha == "" {
			return problem(http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object", c.rt.doc)
		}
		parents = append(parents, sha)
	}
	// Without an author, GitHub signs with the token's user: the app's bot.
	f.st.commitClock += 60
	when := time.Unix(f.st.commitClock, 0).UTC()
	sig := gitSignature{name: f.BotLogin(), email: f.botEmail(), when: when}
	author := sig
	if req.Author != nil {
		author = gitSignature{name: req.Author.Name, email: req.Author.Email, when: when}
	}
	sha := rs.putCommit(gitCommit{tree: tree, parents: parents, author: author, committer: sig, message: *req.Message})
	resp := jsonResponse(http.StatusCreated, f.gitCommitJSON(rs, sha))
	resp.header.Set("Location", f.api("repos/%s/%s/git/commits/%s", rs.Owner, rs.Name, sha))
	return resp
}

// botEmail is the noreply address GitHub gives the app's bot user.
func (f *Fake) botEmail() string {
	return fmt.Sprintf("%d+%s@users.noreply.github.com", f.userID(f.BotLogin()), f.BotLogin())
}

// refBranch turns "heads/x" (the PATCH and DELETE paths) or "refs/heads/x" (the
// POST body) into the branch name; ok is false for anything but a branch.
func refBranch(ref string) (string, bool) {
	branch, ok := strings.CutPrefix(strings.TrimPrefix(ref, "refs/"), "heads/")
	return branch, ok && branch != ""
}

// refCreate is the body of POST git/refs.
type refCreate struct {
	Ref string `json:"ref"`
	SHA string `json:"sha"`
}

func (f *Fake) createRef(c *call, req *refCreate) *response {
	rs := c.rs
	if !strings.HasPrefix(req.Ref, "refs/") || strings.Count(req.Ref, "/") < 2 {
		return problem(http.StatusUnprocessableEntity, "Reference name is invalid", c.rt.doc)
	}
	branch, ok := refBranch(req.Ref)
	if !ok {
		// The fake keeps branches only.
		return problem(http.StatusUnprocessableEntity, "Reference name is invalid", c.rt.doc)
	}
	if _, exists := rs.branches[branch]; exists {
		return problem(http.StatusUnprocessableEntity, "Reference already exists", c.rt.doc)
	}
	sha := rs.findObject(req.SHA, "commit")
	if sha == "" {
		return problem(http.StatusUnprocessableEntity, "Object does not exist", c.rt.doc)
	}
	f.moveBranch(rs, branch, sha)
	resp := jsonResponse(http.StatusCreated, f.refJSON(rs, branch))
	resp.header.Set("Location", f.api("repos/%s/%s/git/refs/heads/%s", rs.Owner, rs.Name, branch))
	return resp
}

// refUpdate is the body of PATCH git/refs/{ref}.
type refUpdate struct {
	SHA   string `json:"sha"`
	Force bool   `json:"force"`
}

func (f *Fake) updateRef(c *call, req *refUpdate) *response {
	rs := c.rs
	branch, ok := refBranch(c.param("ref"))
	old, exists := rs.branches[branch]
	if !ok || !exists {
		return problem(http.StatusUnprocessableEntity, "Reference does not exist", c.rt.doc)
	}
	sha := rs.findObject(req.SHA, "commit")
	if sha == "" {
		return problem(http.StatusUnprocessableEntity, "Object does not exist", c.rt.doc)
	}
	if !req.Force && !rs.isAncestor(old, sha) {
		return problem(http.StatusUnprocessableEntity, "Update is not a fast forward", c.rt.doc)
	}
	f.moveBranch(rs, branch, sha)
	return jsonResponse(http.StatusOK, f.refJSON(rs, branch))
}

func (f *Fake) deleteRef(c *call) *response {
	rs := c.rs
	branch, ok := refBranch(c.param("ref"))
	if _, exists := rs.branches[branch]; !ok || !exists {
		return problem(http.StatusUnprocessableEntity, "Reference does not exist", c.rt.doc)
	}
	rs.prevHeads[branch] = rs.branches[branch]
	delete(rs.branches, branch)
	// GitHub closes the open pull requests whose head branch is gone.
	now := time.Now().UTC().Truncate(time.Second)
	for _, is := range rs.issues {
		if is.pr != nil && is.State == "open" && is.pr.HeadRef == branch {
			is.State, is.ClosedAt, is.UpdatedAt = "closed", &now, now
		}
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}
}

// isAncestor reports whether commit a is reachable from commit b (or is b).
func (rs *repoState) isAncestor(a, b string) bool {
	seen := map[string]bool{}
	todo := []string{b}
	for len(todo) > 0 {
		sha := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if sha == a {
			return true
		}
		obj := rs.objects[sha]
		if seen[sha] || obj == nil || obj.commit == nil {
			continue
		}
		seen[sha] = true
		todo = append(todo, obj.commit.parents...)
	}
	return false
}

// TreeOf returns the root tree SHA of the commit ref (branch or SHA) names.
func (f *Fake) TreeOf(org, repo, ref string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	sha := rs.resolveCommit(ref)
	if sha == "" {
		f.setupError("%s/%s has no commit %s", org, repo, ref)
	}
	return rs.objects[sha].commit.tree
}
