package githubfake

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// GitHub's limits on a recursive tree listing: past either, the listing is cut
// there and says "truncated": true.
const (
	githubTreeEntryLimit = 100000
	githubTreeByteLimit  = 7 << 20 // of response body
)

// commitEpoch is the committer date of the first fake commit; each commit is a
// minute later, so SHAs are the same from run to run.
var commitEpoch = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

// emptyTreeSHA is git's well-known empty tree.
const emptyTreeSHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// Git modes as written inside tree objects (the API shows trees as "040000").
const (
	modeFile = "100644"
	modeTree = "40000"
)

// gitObject is one object in a repository's object store.
type gitObject struct {
	kind    string // "blob", "tree" or "commit"
	raw     []byte // the object's content, without git's "<kind> <len>\x00" header
	entries []treeEntry
	commit  *gitCommit
}

type treeEntry struct {
	mode string
	name string
	sha  string
}

func (e treeEntry) isTree() bool { return e.mode == modeTree }

type gitSignature struct {
	name  string
	email string
	when  time.Time
}

func (s gitSignature) String() string {
	return fmt.Sprintf("%s <%s> %d +0000", s.name, s.email, s.when.Unix())
}

type gitCommit struct {
	tree      string
	parents   []string
	author    gitSignature
	committer gitSignature
	message   string
}

// hashObject is git's object ID: sha1("<kind> <len>\x00" + content).
func hashObject(kind string, raw []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(raw))
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil))
}

// BlobSHA is the SHA git gives a file with this content.
func BlobSHA(content string) string { return hashObject("blob", []byte(content)) }

func (rs *repoState) put(obj *gitObject) string {
	sha := hashObject(obj.kind, obj.raw)
	if _, ok := rs.objects[sha]; !ok {
		rs.objects[sha] = obj
	}
	return sha
}

func (rs *repoState) putBlob(content []byte) string {
	return rs.put(&gitObject{kind: "blob", raw: content})
}

// putTree writes a tree object with entries in git's order: by name, where a
// directory sorts as if its name ended in "/".
func (rs *repoState) putTree(entries []treeEntry) string {
	sorted := slices.Clone(entries)
	sort.Slice(sorted, func(i, j int) bool { return treeSortKey(sorted[i]) < treeSortKey(sorted[j]) })
	var buf bytes.Buffer
	for _, e := range sorted {
		raw, err := hex.DecodeString(e.sha)
		if err != nil || len(raw) != sha1.Size {
			panic(fmt.Sprintf("githubfake: bad object id %q", e.sha))
		}
		buf.WriteString(e.mode)
		buf.WriteByte(' ')
		buf.WriteString(e.name)
		buf.WriteByte(0)
		buf.Write(raw)
	}
	return rs.put(&gitObject{kind: "tree", raw: buf.Bytes(), entries: sorted})
}

func treeSortKey(e treeEntry) string {
	if e.isTree() {
		return e.name + "/"
	}
	return e.name
}

func (rs *repoState) putCommit(c gitCommit) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "tree %s\n", c.tree)
	for _, p := range c.parents {
		fmt.Fprintf(&buf, "parent %s\n", p)
	}
	fmt.Fprintf(&buf, "author %s\n", c.author)
	fmt.Fprintf(&buf, "committer %s\n", c.committer)
	buf.WriteString("\n")
	buf.WriteString(c.message)
	cc := c
	return rs.put(&gitObject{kind: "commit", raw: buf.Bytes(), commit: &cc})
}

// dirNode is a directory while a snapshot is turned into tree objects.
type dirNode struct {
	files map[string]treeEntry
	dirs  map[string]*dirNode
}

func newDirNode() *dirNode {
	return &dirNode{files: map[string]treeEntry{}, dirs: map[string]*dirNode{}}
}

// writeSnapshot stores files (path → content) as blobs and trees, returning the
// root tree's SHA.
func (rs *repoState) writeSnapshot(files map[string]string) (string, error) {
	entries := make(map[string]treeEntry, len(files))
	for p, content := range files {
		entries[p] = treeEntry{mode: modeFile, sha: rs.putBlob([]byte(content))}
	}
	return rs.writePaths(entries)
}

// writePaths stores trees holding the given non-tree entries (path → mode and
// object; the entry's name is ignored), returning the root tree's SHA.
func (rs *repoState) writePaths(files map[string]treeEntry) (string, error) {
	root := newDirNode()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		parts := strings.Split(p, "/")
		for _, part := range parts {
			if part == "" || part == "." || part == ".." || part == ".git" {
				return "", fmt.Errorf("invalid path %q", p)
			}
		}
		dir := root
		for _, part := range parts[:len(parts)-1] {
			if _, clash := dir.files[part]; clash {
				return "", fmt.Errorf("path %q is below a file", p)
			}
			next, ok := dir.dirs[part]
			if !ok {
				next = newDirNode()
				dir.dirs[part] = next
			}
			dir = next
		}
		name := parts[len(parts)-1]
		if _, clash := dir.dirs[name]; clash {
			return "", fmt.Errorf("path %q is a directory", p)
		}
		dir.files[name] = files[p]
	}
	return rs.writeDir(root), nil
}

func (rs *repoState) writeDir(d *dirNode) string {
	var entries []treeEntry
	for name, e := range d.files {
		entries = append(entries, treeEntry{mode: e.mode, name: name, sha: e.sha})
	}
	for name, sub := range d.dirs {
		entries = append(entries, treeEntry{mode: modeTree, name: name, sha: rs.writeDir(sub)})
	}
	return rs.putTree(entries)
}

// Commit records files as the complete content of branch (a snapshot: paths not in
// files are not in the commit), builds blob, tree and commit objects exactly as git
// does, moves the branch and returns the commit SHA. A new branch starts from the
// default branch's head. Open pull requests follow their head and base branches.
func (f *Fake) Commit(org, repo, branch string, files map[string]string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	tree, err := rs.writeSnapshot(files)
	if err != nil {
		f.setupError("commit to %s/%s@%s: %v", org, repo, branch, err)
	}
	parent, ok := rs.branches[branch]
	if !ok {
		parent = rs.branches[rs.DefaultBranch]
	}
	var parents []string
	if parent != "" {
		parents = []string{parent}
	}
	f.st.commitClock += 60
	sig := gitSignature{name: "Monalisa Octocat", email: "octocat@github.com", when: time.Unix(f.st.commitClock, 0).UTC()}
	sha := rs.putCommit(gitCommit{tree: tree, parents: parents, author: sig, committer: sig, message: "Update " + branch + "\n"})
	f.moveBranch(rs, branch, sha)
	return sha
}

// SetBranch points branch at an existing commit (creating the branch if needed);
// an empty sha deletes the branch.
func (f *Fake) SetBranch(org, repo, branch, sha string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	if sha == "" {
		rs.prevHeads[branch] = rs.branches[branch]
		delete(rs.branches, branch)
		return
	}
	if obj := rs.objects[sha]; obj == nil || obj.kind != "commit" {
		f.setupError("%s/%s has no commit %s", org, repo, sha)
	}
	f.moveBranch(rs, branch, sha)
}

func (f *Fake) moveBranch(rs *repoState, branch, sha string) {
	rs.prevHeads[branch] = rs.branches[branch]
	rs.branches[branch] = sha
	now := time.Now().UTC().Truncate(time.Second)
	if !now.After(rs.PushedAt) {
		now = rs.PushedAt.Add(time.Second)
	}
	rs.PushedAt = now
	if branch == rs.DefaultBranch {
		rs.UpdatedAt = now
	}
	for _, is := range rs.issues {
		pr := is.pr
		if pr == nil || is.State != "open" {
			continue
		}
		if pr.HeadRef == branch && pr.HeadSHA != sha {
			pr.prevHeadSHA = pr.HeadSHA
			pr.HeadSHA = sha
			is.UpdatedAt = now
		}
		if pr.BaseRef == branch {
			pr.BaseSHA = sha
		}
	}
}

// Branch returns the commit SHA branch points at ("" when there is no such branch).
func (f *Fake) Branch(org, repo, branch string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mustRepo(org, repo).branches[branch]
}

// Files returns the snapshot at ref (branch, tag-less ref or commit SHA) as path →
// content, ready to be changed and passed to Commit.
func (f *Fake) Files(org, repo, ref string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.mustRepo(org, repo)
	out := map[string]string{}
	sha := rs.resolveCommit(ref)
	if sha == "" {
		return out
	}
	for _, e := range rs.listTree(rs.objects[sha].commit.tree, true) {
		if !e.isTree() {
			out[e.path] = string(rs.objects[e.sha].raw)
		}
	}
	return out
}

// SetTreeLimits sets where a recursive tree listing is cut short with
// "truncated": true: after entries entries or bytes bytes of response body,
// whichever comes first (GitHub: 100,000 entries, 7 MB). Zero or less keeps
// GitHub's value.
func (f *Fake) SetTreeLimits(entries, bytes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if entries <= 0 {
		entries = githubTreeEntryLimit
	}
	if bytes <= 0 {
		bytes = githubTreeByteLimit
	}
	f.st.treeEntryLimit, f.st.treeByteLimit = entries, bytes
}

// listedEntry is a tree entry with its path from the listed tree's root.
type listedEntry struct {
	treeEntry
	path string
}

func (rs *repoState) listTree(sha string, recursive bool) []listedEntry {
	var out []listedEntry
	rs.walkTree(sha, recursive, func(e listedEntry) bool {
		out = append(out, e)
		return true
	})
	return out
}

// walkTree calls visit for each entry of a tree in git's order (a subtree's
// entries right after it when recursive) until visit returns false.
func (rs *repoState) walkTree(sha string, recursive bool, visit func(listedEntry) bool) {
	var walk func(sha, prefix string) bool
	walk = func(sha, prefix string) bool {
		obj := rs.objects[sha]
		if obj == nil || obj.kind != "tree" {
			return true
		}
		for _, e := range obj.entries {
			if !visit(listedEntry{treeEntry: e, path: prefix + e.name}) {
				return false
			}
			if recursive && e.isTree() && !walk(e.sha, prefix+e.name+"/") {
				return false
			}
		}
		return true
	}
	walk(sha, "")
}

// resolveCommit turns a branch name, "heads/x", "refs/heads/x" or a commit SHA
// into a commit SHA, or "".
func (rs *repoState) resolveCommit(ref string) string {
	name := strings.TrimPrefix(strings.TrimPrefix(ref, "refs/"), "heads/")
	if sha, ok := rs.branches[name]; ok {
		return sha
	}
	if ref == "HEAD" {
		return rs.branches[rs.DefaultBranch]
	}
	return rs.findObject(ref, "commit")
}

// findObject returns sha when it names an object of kind, or "". Full SHAs
// only: the app never abbreviates them.
func (rs *repoState) findObject(sha, kind string) string {
	if obj := rs.objects[sha]; obj != nil && obj.kind == kind {
		return sha
	}
	return ""
}

// --- endpoints ---

func apiMode(e treeEntry) string {
	if e.isTree() {
		return "040000"
	}
	return e.mode
}

func (f *Fake) getTree(c *call) *response {
	rs := c.rs
	sha := c.param("sha")
	treeSHA := rs.findObject(sha, "tree")
	if treeSHA == "" {
		if commit := rs.resolveCommit(sha); commit != "" {
			treeSHA = rs.objects[commit].commit.tree
		}
	}
	if treeSHA == "" {
		return notFound(c.rt.doc)
	}
	recursive := c.queryValue("recursive") != "" && c.queryValue("recursive") != "0" && c.queryValue("recursive") != "false"
	// The body is written here rather than marshalled whole: GitHub cuts a
	// recursive listing where its body would pass the byte limit.
	base := f.api("repos/%s/%s/git/", rs.Owner, rs.Name)
	body := []byte(`{"sha":"` + treeSHA + `","url":`)
	body = appendJSONString(body, base+"trees/"+treeSHA)
	body = append(body, `,"tree":[`...)
	const tail = `],"truncated":false}`
	truncated, n := false, 0
	var item []byte
	rs.walkTree(treeSHA, recursive, func(e listedEntry) bool {
		item = append(item[:0], `{"path":`...)
		item = appendJSONString(item, e.path)
		item = append(item, `,"mode":"`+apiMode(e.treeEntry)+`","type":"`...)
		if e.isTree() {
			item = append(item, `tree","sha":"`+e.sha+`","url":`...)
			item = appendJSONString(item, base+"trees/"+e.sha)
		} else {
			item = append(item, `blob","sha":"`+e.sha+`","size":`...)
			item = strconv.AppendInt(item, int64(len(rs.objects[e.sha].raw)), 10)
			item = append(item, `,"url":`...)
			item = appendJSONString(item, base+"blobs/"+e.sha)
		}
		item = append(item, '}')
		if recursive && (n >= f.st.treeEntryLimit || len(body)+1+len(item)+len(tail) > f.st.treeByteLimit) {
			truncated = true
			return false
		}
		if n > 0 {
			body = append(body, ',')
		}
		body = append(body, item...)
		n++
		return true
	})
	body = fmt.Appendf(body, `],"truncated":%t}`, truncated)
	return rawResponse(http.StatusOK, "application/json; charset=utf-8", body)
}

// appendJSONString appends s as a JSON string. Listings write hundreds of
// thousands of them, which json.Marshal makes slow.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// githubBase64 encodes like GitHub (Ruby's Base64.encode64): 60 characters a line,
// each line ending in "\n".
func githubBase64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	if enc != "" {
		b.WriteString(enc)
		b.WriteByte('\n')
	}
	return b.String()
}

func (f *Fake) getBlob(c *call) *response {
	rs := c.rs
	sha := rs.findObject(c.param("sha"), "blob")
	if sha == "" {
		return notFound(c.rt.doc)
	}
	content := rs.objects[sha].raw
	return jsonResponse(http.StatusOK, map[string]any{
		"sha":      sha,
		"node_id":  nodeID("Blob", sha),
		"size":     len(content),
		"url":      f.api("repos/%s/%s/git/blobs/%s", rs.Owner, rs.Name, sha),
		"content":  githubBase64(content),
		"encoding": "base64",
	})
}

func (f *Fake) getGitCommit(c *call) *response {
	rs := c.rs
	sha := rs.findObject(c.param("sha"), "commit")
	if sha == "" {
		return notFound(c.rt.doc)
	}
	return jsonResponse(http.StatusOK, f.gitCommitJSON(rs, sha))
}

// gitCommitJSON is the git-commit shape (GET and POST /git/commits).
func (f *Fake) gitCommitJSON(rs *repoState, sha string) map[string]any {
	gc := rs.objects[sha].commit
	var parents []any
	for _, p := range gc.parents {
		parents = append(parents, map[string]any{
			"sha":      p,
			"url":      f.api("repos/%s/%s/git/commits/%s", rs.Owner, rs.Name, p),
			"html_url": f.web("%s/%s/commit/%s", rs.Owner, rs.Name, p),
		})
	}
	return map[string]any{
		"sha":       sha,
		"node_id":   nodeID("Commit", sha),
		"url":       f.api("repos/%s/%s/git/commits/%s", rs.Owner, rs.Name, sha),
		"html_url":  f.web("%s/%s/commit/%s", rs.Owner, rs.Name, sha),
		"author":    sigJSON(gc.author),
		"committer": sigJSON(gc.committer),
		"message":   strings.TrimSuffix(gc.message, "\n"),
		"tree": map[string]any{
			"sha": gc.tree,
			"url": f.api("repos/%s/%s/git/trees/%s", rs.Owner, rs.Name, gc.tree),
		},
		"parents":      nonNil(parents),
		"verification": unverified(),
	}
}

func sigJSON(s gitSignature) map[string]any {
	return map[string]any{"name": s.name, "email": s.email, "date": ts(s.when)}
}

func unverified() map[string]any {
	return map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil}
}

// changedFiles compares two trees and lists what changed, like the commit API's
// "files" (without patches).
func (rs *repoState) changedFiles(oldTree, newTree string) []listedEntry {
	type state struct{ old, new string }
	paths := map[string]*state{}
	for _, e := range rs.listTree(oldTree, true) {
		if !e.isTree() {
			paths[e.path] = &state{old: e.sha}
		}
	}
	for _, e := range rs.listTree(newTree, true) {
		if e.isTree() {
			continue
		}
		if s, ok := paths[e.path]; ok {
			s.new = e.sha
		} else {
			paths[e.path] = &state{new: e.sha}
		}
	}
	var out []listedEntry
	for p, s := range paths {
		if s.old == s.new {
			continue
		}
		sha := s.new
		mode := "added"
		switch {
		case s.new == "":
			mode, sha = "removed", s.old
		case s.old != "":
			mode = "modified"
		}
		out = append(out, listedEntry{treeEntry: treeEntry{mode: mode, sha: sha}, path: p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func lineCount(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	n := bytes.Count(b, []byte("\n"))
	if b[len(b)-1] != '\n' {
		n++
	}
	return n
}
