package githubclient

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
	"golang.org/x/sync/errgroup"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport"
)

// treeAttempts is how often a tree request is tried when GitHub answers it with
// a server error, or with a 404 for a tree its parent names (a replica that has
// not caught up); treeRetryDelay is the first wait, doubled after each try.
const treeAttempts = 4

var treeRetryDelay = 250 * time.Millisecond

// errBudgetSpent stops a request the snapshot's request budget has no room for.
var errBudgetSpent = errors.New("request budget spent")

// requestBudget bounds the GitHub requests of one snapshot, its listing and its
// blobs together. A zero limit never runs out.
type requestBudget struct {
	mu    sync.Mutex
	limit int
	spent int
}

// take grants up to n requests and says how many.
func (b *requestBudget) take(n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit > 0 {
		n = max(min(n, b.limit-b.spent), 0)
	}
	b.spent += n
	return n
}

// treeTask is one tree to list: dir is its path from the root ("" for the
// root), and prefix what a truncated recursive listing above it already showed
// of it (paths relative to dir), kept when its own request cannot be made.
type treeTask struct {
	dir, sha string
	prefix   []*github.TreeEntry
	// named: the SHA comes from a listing, so a 404 is a lagging replica.
	named bool
}

// treeListing is a listing being put together from several requests.
type treeListing struct {
	files map[string]policies.Entry
	// unlisted are the directories whose listing is missing or incomplete.
	unlisted []string
	cut      bool // GitHub truncated a one-level listing
}

func (l *treeListing) add(dir string, list []*github.TreeEntry) {
	for _, e := range blobEntries(dir, list) {
		l.files[e.Path] = e
	}
}

// listTruncated lists a tree whose recursive listing GitHub truncated, in
// bounded requests: the tree one level deep, then each subtree recursively,
// splitting again only the subtrees that are themselves truncated. Subtrees the
// truncated listing already holds whole are not requested again. Every request
// names a tree by its SHA, so the listing is of one commit even if the branch
// moves meanwhile; requests go out level by level, in path order, so a budget
// that runs out always cuts the same listing.
func (s *snapshot) listTruncated(ctx context.Context, root *github.Tree) (*treeListing, error) {
	l := &treeListing{files: map[string]policies.Entry{}}
	splits := []treeTask{{sha: root.GetSHA(), prefix: root.Entries, named: true}}
	for len(splits) > 0 {
		trees, err := s.fetchTrees(ctx, splits, false)
		if err != nil {
			return nil, err
		}
		var subtrees []treeTask
		for i, t := range splits {
			tree := trees[i]
			if tree == nil {
				l.add(t.dir, t.prefix)
				l.unlisted = append(l.unlisted, t.dir)
				continue
			}
			if tree.GetTruncated() {
				// Past GitHub's limits even one level deep: nothing lists the rest.
				l.cut = true
				l.unlisted = append(l.unlisted, t.dir)
			}
			l.add(t.dir, tree.Entries)
			whole := wholeSubtrees(t.prefix)
			for _, e := range tree.Entries {
				if e.GetType() != "tree" {
					continue
				}
				if listed, ok := whole[e.GetPath()]; ok && listed.sha == e.GetSHA() {
					l.add(t.dir, listed.entries)
					continue
				}
				subtrees = append(subtrees, treeTask{
					dir: joinPath(t.dir, e.GetPath()), sha: e.GetSHA(), prefix: under(t.prefix, e.GetPath()), named: true,
				})
			}
		}
		trees, err = s.fetchTrees(ctx, subtrees, true)
		if err != nil {
			return nil, err
		}
		splits = nil
		for i, t := range subtrees {
			switch tree := trees[i]; {
			case tree == nil:
				l.add(t.dir, t.prefix)
				l.unlisted = append(l.unlisted, t.dir)
			case tree.GetTruncated():
				splits = append(splits, treeTask{dir: t.dir, sha: t.sha, prefix: tree.Entries, named: true})
			default:
				l.add(t.dir, tree.Entries)
			}
		}
	}
	return l, nil
}

// fetchTrees lists trees in parallel, bounded. Budget is taken in the order of
// tasks; a tree it has no room for is left nil.
func (s *snapshot) fetchTrees(ctx context.Context, tasks []treeTask, recursive bool) ([]*github.Tree, error) {
	out := make([]*github.Tree, len(tasks))
	granted := s.budget.take(len(tasks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchConcurrency)
	for i, t := range tasks[:granted] {
		g.Go(func() error {
			tree, err := s.fetchTree(gctx, t, recursive)
			if errors.Is(err, errBudgetSpent) {
				return nil
			}
			out[i] = tree
			return err
		})
	}
	return out, g.Wait()
}

// fetchTree makes one tree request whose budget is taken, retrying server
// errors and a 404, which for a tree named by its parent is a replica lagging,
// not a repository gone. Rate limits come back as classify makes them, for the
// job to wait them out.
func (s *snapshot) fetchTree(ctx context.Context, t treeTask, recursive bool) (*github.Tree, error) {
	what := "fetch tree of " + s.name()
	if t.dir != "" {
		what += " (directory " + t.dir + ")"
	}
	delay := treeRetryDelay
	for attempt := 1; ; attempt++ {
		tree, resp, err := s.in.gh.Git.GetTree(ctx, s.owner, s.repo, t.sha, recursive)
		if err == nil {
			return tree, nil
		}
		status := 0
		var apiErr *github.ErrorResponse
		if errors.As(err, &apiErr) && resp != nil {
			status = resp.StatusCode
		}
		switch {
		case status == http.StatusConflict:
			return nil, fmt.Errorf("%s: the repository became empty while its tree was listed: %w", what, err)
		case status < 500 && (status != http.StatusNotFound || !t.named):
			return nil, classify(what, err)
		case attempt == treeAttempts && status == http.StatusNotFound:
			return nil, fmt.Errorf("%s: GitHub does not find tree %s that its parent names (%d tries): %w", what, ghport.ShortSHA(t.sha), attempt, err)
		case attempt == treeAttempts:
			return nil, fmt.Errorf("%s: GitHub answered %d to %d tries: %w", what, status, attempt, err)
		}
		if s.budget.take(1) == 0 {
			return nil, errBudgetSpent
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// under keeps the entries below directory name, with paths relative to it.
func under(list []*github.TreeEntry, name string) []*github.TreeEntry {
	prefix := name + "/"
	var out []*github.TreeEntry
	for _, e := range list {
		if p, ok := strings.CutPrefix(e.GetPath(), prefix); ok {
			c := *e
			c.Path = &p
			out = append(out, &c)
		}
	}
	return out
}

// wholeSubtree is a subtree a truncated listing holds completely.
type wholeSubtree struct {
	sha     string
	entries []*github.TreeEntry // paths as in the listing
}

// wholeSubtrees finds the top-level subtrees of a truncated recursive listing
// that it holds completely. Git names a tree by the hash of its entries, so a
// subtree is whole when every tree in it hashes, from the entries listed, to
// the SHA its parent gives it: a missing entry anywhere changes some hash.
func wholeSubtrees(list []*github.TreeEntry) map[string]wholeSubtree {
	children := map[string][]*github.TreeEntry{} // by parent directory
	for _, e := range list {
		p := e.GetPath()
		dir := ""
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			dir = p[:i]
		}
		children[dir] = append(children[dir], e)
	}
	var whole func(dir, sha string) bool
	whole = func(dir, sha string) bool {
		kids := children[dir]
		if gitTreeSHA(kids) != sha {
			return false
		}
		for _, e := range kids {
			if e.GetType() == "tree" && !whole(e.GetPath(), e.GetSHA()) {
				return false
			}
		}
		return true
	}
	out := map[string]wholeSubtree{}
	for _, e := range children[""] {
		if name := e.GetPath(); e.GetType() == "tree" && whole(name, e.GetSHA()) {
			out[name] = wholeSubtree{sha: e.GetSHA()}
		}
	}
	for _, e := range list {
		name, _, _ := strings.Cut(e.GetPath(), "/")
		if w, ok := out[name]; ok && name != e.GetPath() {
			w.entries = append(w.entries, e)
			out[name] = w
		}
	}
	return out
}

// gitTreeSHA is git's object name for a tree holding entries (full paths, all
// in one directory): SHA-1 of "tree <size>\x00" and the entries sorted as git
// sorts them, a directory as if its name ended in "/".
func gitTreeSHA(entries []*github.TreeEntry) string {
	type raw struct {
		mode, name, key string
		sha             []byte
	}
	list := make([]raw, 0, len(entries))
	for _, e := range entries {
		name := e.GetPath()[strings.LastIndexByte(e.GetPath(), '/')+1:]
		sha, err := hex.DecodeString(e.GetSHA())
		if err != nil {
			return ""
		}
		key := name
		if e.GetType() == "tree" {
			key += "/"
		}
		// The API pads a tree's mode to six digits; git writes "40000".
		list = append(list, raw{mode: strings.TrimLeft(e.GetMode(), "0"), name: name, key: key, sha: sha})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	var body bytes.Buffer
	for _, r := range list {
		body.WriteString(r.mode + " " + r.name + "\x00")
		body.Write(r.sha)
	}
	h := sha1.New()
	fmt.Fprintf(h, "tree %d\x00", body.Len())
	h.Write(body.Bytes())
	return hex.EncodeToString(h.Sum(nil))
}
