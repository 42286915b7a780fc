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
	"github.com/goldenpath/goldenpath/server/ghport"
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
	return in.LimitedSnapshot(owner, repo, sha, 0)
}

// LimitedSnapshot is Snapshot with a budget of GitHub requests for its listing
// and blobs together (0: none). Past it, the snapshot holds what was read and
// says so in PartialReason.
func (in *Installation) LimitedSnapshot(owner, repo, sha string, budget int) policies.Snapshot {
	return &snapshot{in: in, owner: owner, repo: repo, sha: sha, blobs: map[string][]byte{}, budget: &requestBudget{limit: budget}}
}

// StoredSnapshot is the snapshot of tree whose sorted listing is known already:
// nothing is listed, and blobs are read as for any snapshot, within budget
// requests (0: no limit).
func (in *Installation) StoredSnapshot(owner, repo, tree string, entries []policies.Entry, budget int) policies.Snapshot {
	s := &snapshot{in: in, owner: owner, repo: repo, sha: tree, treeSHA: tree, entries: entries, blobs: map[string][]byte{}, budget: &requestBudget{limit: budget}}
	s.byPath = make(map[string]policies.Entry, len(entries))
	for _, e := range entries {
		s.byPath[e.Path] = e
	}
	return s
}

type snapshot struct {
	in               *Installation
	owner, repo, sha string
	budget           *requestBudget

	listMu  sync.Mutex
	treeSHA string
	entries []policies.Entry
	byPath  map[string]policies.Entry
	// listCut says why the listing is incomplete, "" when it is not.
	listCut string

	readMu sync.Mutex
	blobs  map[string][]byte // by blob SHA
	// unread counts files left unread for the budget, of asked.
	unread, asked int
}

func (s *snapshot) name() string { return s.owner + "/" + s.repo + "@" + ghport.ShortSHA(s.sha) }

// Entries implements policies.Snapshot: one recursive tree request, or when
// GitHub truncates it, about one per top-level directory.
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
	s.budget.take(1) // the first request is always made
	tree, err := s.fetchTree(ctx, treeTask{sha: s.sha}, true)
	if err != nil {
		return err
	}
	s.treeSHA = tree.GetSHA()
	var entries []policies.Entry
	if tree.GetTruncated() {
		zerolog.Ctx(ctx).Debug().Str("repository", s.owner+"/"+s.repo).Str("sha", s.sha).Msg("tree listing truncated; listing subtrees")
		l, err := s.listTruncated(ctx, tree)
		if err != nil {
			return err
		}
		entries = make([]policies.Entry, 0, len(l.files))
		for _, e := range l.files {
			entries = append(entries, e)
		}
		s.listCut = l.reason(len(entries), s.budget.limit)
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

// reason says why a listing is incomplete, "" when it is not.
func (l *treeListing) reason(listed, budget int) string {
	if len(l.unlisted) == 0 {
		return ""
	}
	why := fmt.Sprintf("request budget of %d reached", budget)
	if l.cut {
		why = "GitHub truncates a directory's own listing"
	}
	dirs := slices.Sorted(slices.Values(l.unlisted))
	for i, d := range dirs {
		if d == "" {
			dirs[i] = "/"
		}
	}
	if len(dirs) > 3 {
		dirs = append(dirs[:3], fmt.Sprintf("%d more", len(dirs)-3))
	}
	return fmt.Sprintf("listed %d of ? paths: %s (not listed whole: %s)", listed, why, strings.Join(dirs, ", "))
}

// PartialReason implements policies.Partial: what the snapshot could not list
// or read, "" when nothing.
func (s *snapshot) PartialReason() string {
	s.listMu.Lock()
	reason := s.listCut
	s.listMu.Unlock()
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if s.unread > 0 {
		read := fmt.Sprintf("read %d of %d files: request budget of %d reached", s.asked-s.unread, s.asked, s.budget.limit)
		if reason != "" {
			return reason + "; " + read
		}
		return read
	}
	return reason
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

	// The budget is charged for every blob not read yet, cached or not, in the
	// order asked: what a budget leaves unread then depends on the tree alone.
	missing := map[string]int64{} // blob SHA → size
	for _, p := range paths {
		e, ok := s.byPath[p]
		if !ok || e.Size > maxBlobBytes {
			continue
		}
		if _, ok := s.blobs[e.SHA]; ok {
			continue
		}
		if _, ok := missing[e.SHA]; !ok {
			s.asked++
			if s.budget.take(1) == 0 {
				s.unread++
				continue
			}
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
	what := fmt.Sprintf("fetch blob %s of %s/%s", ghport.ShortSHA(sha), owner, repo)
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
		return nil, fmt.Errorf("%s: content hashes to %s", what, ghport.ShortSHA(got))
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
