package githubclient

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/goldenpath/goldenpath/policies"
)

const (
	// maxBlobBytes is a hard guard: the engine asks only for files within its own
	// (smaller) limit, but a blob above this is never fetched whatever it asks.
	maxBlobBytes = 16 << 20
	// fetchConcurrency bounds parallel tree and blob requests of one snapshot;
	// more would invite GitHub's secondary rate limit.
	fetchConcurrency = 4
)

// Snapshot is the repository at commit sha (a branch name also works, as sweeps
// use it: the tree is the branch's when first listed). Nothing is requested until
// Entries or Read is called; the listing and blobs read are kept for its life.
func (in *Installation) Snapshot(owner, repo, sha string) policies.Snapshot {
	return &snapshot{in: in, owner: owner, repo: repo, sha: sha, blobs: map[string][]byte{}}
}

// StoredSnapshot is the snapshot of tree whose sorted listing is known already:
// nothing is listed, and blobs are read as for any snapshot.
func (in *Installation) StoredSnapshot(owner, repo, tree string, entries []policies.Entry) policies.Snapshot {
	s := &snapshot{in: in, owner: owner, repo: repo, sha: tree, treeSHA: tree, entries: entries, blobs: map[string][]byte{}}
	s.byPath = make(map[string]policies.Entry, len(entries))
	for _, e := range entries {
		s.byPath[e.Path] = e
	}
	return s
}

type snapshot struct {
	in               *Installation
	owner, repo, sha string

	listMu  sync.Mutex
	treeSHA string
	entries []policies.Entry
	byPath  map[string]policies.Entry

	readMu sync.Mutex
	blobs  map[string][]byte // by blob SHA
}

func (s *snapshot) name() string { return s.owner + "/" + s.repo + "@" + shortSHA(s.sha) }

// Entries implements policies.Snapshot: one recursive tree request, or a walk of
// the tree when GitHub truncates the recursive listing.
func (s *snapshot) Entries(ctx context.Context) ([]policies.Entry, error) {
	if err := s.list(ctx); err != nil {
		return nil, err
	}
	return slices.Clone(s.entries), nil
}

func (s *snapshot) list(ctx context.Context) error {
	s.listMu.Lock()
	defer s.listMu.Unlock()
	if s.byPath != nil {
		return nil
	}
	ctx = s.in.withID(ctx)
	tree, _, err := s.in.gh.Git.GetTree(ctx, s.owner, s.repo, s.sha, true)
	if err != nil {
		return classify("fetch tree of "+s.name(), err)
	}
	s.treeSHA = tree.GetSHA()
	var entries []policies.Entry
	if tree.GetTruncated() {
		// Past GitHub's limit (100,000 entries or 7 MB) the recursive listing is cut
		// short: list one directory per request instead, so no file is missed.
		zerolog.Ctx(ctx).Debug().Str("repository", s.owner+"/"+s.repo).Str("sha", s.sha).Msg("tree listing truncated; walking directories")
		entries, err = s.walk(ctx, tree.GetSHA())
		if err != nil {
			return err
		}
	} else {
		entries = blobEntries("", tree.Entries)
	}
	slices.SortFunc(entries, func(a, b policies.Entry) int { return strings.Compare(a.Path, b.Path) })
	s.byPath = make(map[string]policies.Entry, len(entries))
	for _, e := range entries {
		s.byPath[e.Path] = e
	}
	s.entries = entries
	return nil
}

// TreeSHA is the root tree of a snapshot, known from its listing (listed now if
// it was not yet): equal trees mean equal files, whatever the commit.
func (in *Installation) TreeSHA(ctx context.Context, snap policies.Snapshot) (string, error) {
	s, ok := snap.(*snapshot)
	if !ok || s.in.id != in.id {
		return "", fmt.Errorf("tree SHA of a %T: not a snapshot of installation %d", snap, in.id)
	}
	if err := s.list(ctx); err != nil {
		return "", err
	}
	if s.treeSHA == "" {
		return "", fmt.Errorf("fetch tree of %s: GitHub answered without a tree SHA", s.name())
	}
	return s.treeSHA, nil
}

// blobEntries keeps the files of a tree listing: blobs, symlinks (mode 120000,
// also blobs) included; subtrees and submodules ("commit" entries) left out.
func blobEntries(dir string, list []*github.TreeEntry) []policies.Entry {
	var out []policies.Entry
	for _, e := range list {
		if e.GetType() != "blob" {
			continue
		}
		out = append(out, policies.Entry{Path: joinPath(dir, e.GetPath()), SHA: e.GetSHA(), Size: int64(e.GetSize())})
	}
	return out
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return path.Join(dir, name)
}

type treeDir struct{ path, sha string }

// walk lists the tree level by level, one non-recursive request per directory.
// It starts from the root tree's SHA, not the ref the snapshot was asked for, so
// a branch that moves during the walk cannot mix two commits.
func (s *snapshot) walk(ctx context.Context, root string) ([]policies.Entry, error) {
	var (
		mu      sync.Mutex
		entries []policies.Entry
	)
	if root == "" {
		root = s.sha
	}
	level := []treeDir{{path: "", sha: root}}
	for len(level) > 0 {
		var next []treeDir
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(fetchConcurrency)
		for _, d := range level {
			g.Go(func() error {
				tree, _, err := s.in.gh.Git.GetTree(gctx, s.owner, s.repo, d.sha, false)
				if err != nil {
					what := "fetch tree of " + s.name()
					if d.path != "" {
						what += " (directory " + d.path + ")"
					}
					return classify(what, err)
				}
				mu.Lock()
				defer mu.Unlock()
				entries = append(entries, blobEntries(d.path, tree.Entries)...)
				for _, e := range tree.Entries {
					if e.GetType() == "tree" {
						next = append(next, treeDir{path: joinPath(d.path, e.GetPath()), sha: e.GetSHA()})
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		level = next
	}
	return entries, nil
}

// Read implements policies.Snapshot. Paths missing from the listing or above the
// size guard are left out; an API failure fails the call (a rule must not pass or
// fail because a file could not be fetched). Blobs come from the snapshot's memo,
// then the installation's BlobCache, then GitHub, and what GitHub sent is saved.
func (s *snapshot) Read(ctx context.Context, paths []string) (map[string][]byte, error) {
	if err := s.list(ctx); err != nil {
		return nil, err
	}
	ctx = s.in.withID(ctx)
	s.readMu.Lock()
	defer s.readMu.Unlock()

	missing := map[string]int64{} // blob SHA → size
	for _, p := range paths {
		e, ok := s.byPath[p]
		if !ok || e.Size > maxBlobBytes {
			continue
		}
		if _, ok := s.blobs[e.SHA]; !ok {
			missing[e.SHA] = e.Size
		}
	}

	cache := s.in.client.blobs
	log := zerolog.Ctx(ctx)
	if cache != nil {
		for sha := range missing {
			b, ok, err := cache.Blob(ctx, s.in.id, sha)
			if err != nil {
				// The cache only saves requests: fall back to GitHub.
				log.Warn().Err(err).Str("sha", sha).Msg("read blob cache")
				continue
			}
			if ok {
				s.blobs[sha] = b
				delete(missing, sha)
			}
		}
	}

	if len(missing) > 0 {
		fetched, err := s.fetchBlobs(ctx, missing)
		if err != nil {
			return nil, err
		}
		for sha, b := range fetched {
			s.blobs[sha] = b
		}
		if cache != nil {
			if err := cache.SaveBlobs(ctx, s.in.id, fetched); err != nil {
				log.Warn().Err(err).Int("blobs", len(fetched)).Msg("save blobs to cache")
			}
		}
	}

	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		if e, ok := s.byPath[p]; ok {
			if b, ok := s.blobs[e.SHA]; ok {
				out[p] = b
			}
		}
	}
	return out, nil
}

func (s *snapshot) fetchBlobs(ctx context.Context, want map[string]int64) (map[string][]byte, error) {
	var (
		mu  sync.Mutex
		out = make(map[string][]byte, len(want))
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchConcurrency)
	for sha := range want {
		g.Go(func() error {
			b, err := fetchBlob(gctx, s.in.gh, s.owner, s.repo, sha)
			if err != nil {
				return err
			}
			mu.Lock()
			out[sha] = b
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// fetchBlob reads one blob and checks it against its SHA, so that nothing but the
// content a SHA names can enter the content-addressed cache.
func fetchBlob(ctx context.Context, gh *github.Client, owner, repo, sha string) ([]byte, error) {
	what := fmt.Sprintf("fetch blob %s of %s/%s", shortSHA(sha), owner, repo)
	blob, _, err := gh.Git.GetBlob(ctx, owner, repo, sha)
	if err != nil {
		return nil, classify(what, err)
	}
	var data []byte
	switch blob.GetEncoding() {
	case "base64":
		// GitHub wraps the base64 in lines; the decoder skips the newlines.
		data, err = base64.StdEncoding.DecodeString(blob.GetContent())
		if err != nil {
			return nil, fmt.Errorf("%s: decode base64: %w", what, err)
		}
	case "utf-8", "":
		data = []byte(blob.GetContent())
	default:
		return nil, fmt.Errorf("%s: unsupported encoding %q", what, blob.GetEncoding())
	}
	if len(data) > maxBlobBytes {
		return nil, fmt.Errorf("%s: %d bytes, above the %d-byte guard", what, len(data), maxBlobBytes)
	}
	if got := gitBlobSHA(data); len(sha) == len(got) && !strings.EqualFold(got, sha) {
		return nil, fmt.Errorf("%s: content hashes to %s", what, shortSHA(got))
	}
	return data, nil
}

// gitBlobSHA is git's object name for a blob: SHA-1 of "blob <size>\x00<content>".
func gitBlobSHA(data []byte) string {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(data)) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
