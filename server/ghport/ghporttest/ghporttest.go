// Package ghporttest is a GitHub made of plain values, for unit tests of the jobs'
// decisions: each port method answers from a field and fails with its ...Err
// field when set, and the writes (check runs, comments, issues, pull requests)
// are recorded where the test reads them. It sends no request; the end-to-end
// tests and request counting use server/githubfake.
package ghporttest

import (
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport"
)

// GitHub is the app's access: every installation ID opens Inst.
type GitHub struct {
	Inst            *Installation // nil: every installation is gone
	InstallationErr error

	Installs         []ghport.InstallationInfo
	InstallationsErr error

	Deliveries    []ghport.HookDelivery
	DeliveriesErr error
	RedeliverErr  error
	// Redelivered records the deliveries Redeliver was asked for, failing or not.
	Redelivered []int64

	mu sync.Mutex
}

var _ ghport.GitHub = (*GitHub)(nil)

// Installation implements ghport.GitHub.
func (g *GitHub) Installation(context.Context, int64) (ghport.Installation, error) {
	if g.InstallationErr != nil {
		return nil, g.InstallationErr
	}
	if g.Inst == nil {
		return nil, fmt.Errorf("installation: %w", ghport.ErrGone)
	}
	return g.Inst, nil
}

// Installations implements ghport.GitHub.
func (g *GitHub) Installations(context.Context) ([]ghport.InstallationInfo, error) {
	return g.Installs, g.InstallationsErr
}

// HookDeliveries implements ghport.GitHub.
func (g *GitHub) HookDeliveries(context.Context, time.Time, int) ([]ghport.HookDelivery, error) {
	return g.Deliveries, g.DeliveriesErr
}

// Redeliver implements ghport.GitHub.
func (g *GitHub) Redeliver(_ context.Context, id int64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Redelivered = append(g.Redelivered, id)
	return g.RedeliverErr
}

// Installation is one installation's repositories and what was written to them.
// Repositories are named "owner/repo" throughout. It also implements the Git
// data and pull request methods of server/fixpr's GitHub.
type Installation struct {
	// Contents are the repositories' files by At(repo, ref): ref is a commit SHA or
	// a branch name, "HEAD" the default branch (File's empty ref reads it too).
	// An unknown repository or ref is gone: its snapshot fails with ghport.ErrGone.
	Contents    map[string]Files
	SnapshotErr error // every snapshot's listing and reads fail with it
	FileErr     error
	TreeSHAErr  error
	// Listed counts the tree listings by At(repo, ref): one per snapshot, on first
	// use, as GitHub's is listed; a stored snapshot lists nothing.
	Listed map[string]int

	// Heads are the branches' commits by At(repo, branch); fix branches land here.
	Heads         map[string]string
	BranchHeadErr error

	Repos    []ghport.RepoInfo
	ReposErr error

	Remaining int
	Reset     time.Time
	RateKnown bool

	CheckRuns         []CheckRun // every create and update, in order
	CreateCheckRunErr error
	UpdateCheckRunErr error

	Comments         map[int64]Comment // by ID; an edit of an unknown one is gone
	FindCommentErr   error
	CreateCommentErr error
	EditCommentErr   error

	Issues         []Issue // an unknown issue is gone
	FindIssuesErr  error
	IssueErr       error
	CreateIssueErr error
	EditIssueErr   error
	CloseIssueErr  error

	Pulls           []Pull
	PullErr         error               // Pull and PullFromBranch
	AppCommits      map[string]bool     // the commits the app made: CreateCommit's, and any the test adds
	CreatedTrees    []map[string][]byte // the files of each CreateTree, in order
	CreateTreeErr   error
	CreateCommitErr error
	CreateBranchErr error
	UpdateBranchErr error
	DeleteBranchErr error
	CreatePullErr   error
	EditPullErr     error

	mu     sync.Mutex
	lastID int64
}

var _ ghport.Installation = (*Installation)(nil)

// At keys Contents, Listed and Heads: repo ("owner/name") at ref.
func At(repo, ref string) string { return repo + "@" + ref }

// CheckRun is a check run written: created (Update false) or updated.
type CheckRun struct {
	ID     int64
	Repo   string
	Update bool
	ghport.CheckRun
}

// Comment is a pull request's comment; Edits counts EditComment calls.
type Comment struct {
	Repo   string
	Number int
	Body   string
	Edits  int
}

// Issue is an issue with its title and labels; Edits counts EditIssue calls.
type Issue struct {
	Repo   string
	Title  string
	Labels []string
	ghport.Issue
	Edits int
}

// Pull is a pull request from branch Head into Base.
type Pull struct {
	Repo       string
	Head, Base string
	ghport.Pull
}

func (in *Installation) id() int64 {
	in.lastID++
	return in.lastID
}

func (in *Installation) files(repo, ref string) Files {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.Contents[At(repo, cmp.Or(ref, "HEAD"))]
}

// Snapshot implements ghport.Installation.
func (in *Installation) Snapshot(owner, repo, sha string) policies.Snapshot {
	full := owner + "/" + repo
	return &snapshot{in: in, key: At(full, sha), files: in.files(full, sha)}
}

// LimitedSnapshot is Snapshot: the fake has no request budget to spend.
func (in *Installation) LimitedSnapshot(owner, repo, sha string, _ int) policies.Snapshot {
	return in.Snapshot(owner, repo, sha)
}

// StoredSnapshot lists entries and reads the repository's contents whose tree is tree.
func (in *Installation) StoredSnapshot(owner, repo, tree string, entries []policies.Entry, _ int) policies.Snapshot {
	s := &snapshot{in: in, entries: entries, tree: tree}
	in.mu.Lock()
	defer in.mu.Unlock()
	for key, files := range in.Contents {
		if strings.HasPrefix(key, owner+"/"+repo+"@") && files.Tree() == tree {
			s.files = files
		}
	}
	return s
}

// File implements ghport.Installation.
func (in *Installation) File(_ context.Context, owner, repo, ref, path string) ([]byte, bool, error) {
	if in.FileErr != nil {
		return nil, false, in.FileErr
	}
	data, found := in.files(owner+"/"+repo, ref)[path]
	return []byte(data), found, nil
}

// BranchHead implements ghport.Installation.
func (in *Installation) BranchHead(_ context.Context, owner, repo, branch string) (string, error) {
	if in.BranchHeadErr != nil {
		return "", in.BranchHeadErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	sha, ok := in.Heads[At(owner+"/"+repo, branch)]
	if !ok {
		return "", fmt.Errorf("branch %s of %s/%s: %w", branch, owner, repo, ghport.ErrGone)
	}
	return sha, nil
}

// CreateCheckRun implements ghport.Installation.
func (in *Installation) CreateCheckRun(_ context.Context, owner, repo string, run ghport.CheckRun) (int64, error) {
	if in.CreateCheckRunErr != nil {
		return 0, in.CreateCheckRunErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	id := in.id()
	in.CheckRuns = append(in.CheckRuns, CheckRun{ID: id, Repo: owner + "/" + repo, CheckRun: run})
	return id, nil
}

// UpdateCheckRun implements ghport.Installation.
func (in *Installation) UpdateCheckRun(_ context.Context, owner, repo string, id int64, run ghport.CheckRun) error {
	if in.UpdateCheckRunErr != nil {
		return in.UpdateCheckRunErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.CheckRuns = append(in.CheckRuns, CheckRun{ID: id, Repo: owner + "/" + repo, Update: true, CheckRun: run})
	return nil
}

// FindComment implements ghport.Installation.
func (in *Installation) FindComment(_ context.Context, owner, repo string, number int, marker string) (int64, error) {
	if in.FindCommentErr != nil {
		return 0, in.FindCommentErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(in.Comments)) {
		c := in.Comments[id]
		if c.Repo == owner+"/"+repo && c.Number == number && strings.Contains(c.Body, marker) {
			return id, nil
		}
	}
	return 0, nil
}

// CreateComment implements ghport.Installation.
func (in *Installation) CreateComment(_ context.Context, owner, repo string, number int, body string) (int64, error) {
	if in.CreateCommentErr != nil {
		return 0, in.CreateCommentErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.Comments == nil {
		in.Comments = map[int64]Comment{}
	}
	id := in.id()
	in.Comments[id] = Comment{Repo: owner + "/" + repo, Number: number, Body: body}
	return id, nil
}

// EditComment implements ghport.Installation.
func (in *Installation) EditComment(_ context.Context, _, _ string, id int64, body string) error {
	if in.EditCommentErr != nil {
		return in.EditCommentErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	c, ok := in.Comments[id]
	if !ok {
		return fmt.Errorf("comment %d: %w", id, ghport.ErrGone)
	}
	c.Body = body
	c.Edits++
	in.Comments[id] = c
	return nil
}

// Repositories implements ghport.Installation.
func (in *Installation) Repositories(context.Context) ([]ghport.RepoInfo, error) {
	return in.Repos, in.ReposErr
}

// TreeSHA is the snapshot's tree: Files.Tree of its contents.
func (in *Installation) TreeSHA(ctx context.Context, snap policies.Snapshot) (string, error) {
	if in.TreeSHAErr != nil {
		return "", in.TreeSHAErr
	}
	s, ok := snap.(*snapshot)
	if !ok {
		return "", fmt.Errorf("tree of a %T: not a snapshot of this installation", snap)
	}
	if s.tree != "" {
		return s.tree, nil
	}
	if _, err := s.Entries(ctx); err != nil {
		return "", err
	}
	return s.files.Tree(), nil
}

// RateLimit implements ghport.Installation.
func (in *Installation) RateLimit() (int, time.Time, bool) {
	return in.Remaining, in.Reset, in.RateKnown
}

// FindIssues returns the open issues of repo that hold marker, oldest first.
func (in *Installation) FindIssues(_ context.Context, owner, repo, marker string) ([]ghport.Issue, error) {
	if in.FindIssuesErr != nil {
		return nil, in.FindIssuesErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []ghport.Issue
	for _, is := range in.Issues {
		if is.Repo == owner+"/"+repo && is.Open && strings.Contains(is.Body, marker) {
			out = append(out, is.Issue)
		}
	}
	slices.SortFunc(out, func(a, b ghport.Issue) int { return cmp.Compare(a.Number, b.Number) })
	return out, nil
}

// issue is the index of repo's issue number in Issues, or -1; in.mu is held.
func (in *Installation) issue(repo string, number int) int {
	return slices.IndexFunc(in.Issues, func(is Issue) bool { return is.Repo == repo && is.Number == number })
}

// Issue implements ghport.Installation.
func (in *Installation) Issue(_ context.Context, owner, repo string, number int) (ghport.Issue, error) {
	if in.IssueErr != nil {
		return ghport.Issue{}, in.IssueErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	i := in.issue(owner+"/"+repo, number)
	if i < 0 {
		return ghport.Issue{}, fmt.Errorf("issue %d: %w", number, ghport.ErrGone)
	}
	return in.Issues[i].Issue, nil
}

// CreateIssue implements ghport.Installation.
func (in *Installation) CreateIssue(_ context.Context, owner, repo, title, body string, labels []string) (int, error) {
	if in.CreateIssueErr != nil {
		return 0, in.CreateIssueErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	n := len(in.Issues) + 1
	for _, is := range in.Issues {
		n = max(n, is.Number+1)
	}
	in.Issues = append(in.Issues, Issue{Repo: owner + "/" + repo, Title: title, Labels: labels, Issue: ghport.Issue{Number: n, Open: true, Body: body}})
	return n, nil
}

// EditIssue implements ghport.Installation.
func (in *Installation) EditIssue(_ context.Context, owner, repo string, number int, body string) error {
	return in.editIssue(in.EditIssueErr, owner+"/"+repo, number, func(is *Issue) { is.Body = body; is.Edits++ })
}

// CloseIssue implements ghport.Installation.
func (in *Installation) CloseIssue(_ context.Context, owner, repo string, number int) error {
	return in.editIssue(in.CloseIssueErr, owner+"/"+repo, number, func(is *Issue) { is.Open = false })
}

func (in *Installation) editIssue(fail error, repo string, number int, edit func(*Issue)) error {
	if fail != nil {
		return fail
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	i := in.issue(repo, number)
	if i < 0 {
		return fmt.Errorf("issue %d: %w", number, ghport.ErrGone)
	}
	edit(&in.Issues[i])
	return nil
}

// Pull reads a pull request of Pulls.
func (in *Installation) Pull(_ context.Context, owner, repo string, number int) (ghport.Pull, error) {
	if in.PullErr != nil {
		return ghport.Pull{}, in.PullErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	i := slices.IndexFunc(in.Pulls, func(p Pull) bool { return p.Repo == owner+"/"+repo && p.Number == number })
	if i < 0 {
		return ghport.Pull{}, fmt.Errorf("pull %d: %w", number, ghport.ErrGone)
	}
	return in.Pulls[i].Pull, nil
}

// PullFromBranch is the newest pull request of Pulls from branch.
func (in *Installation) PullFromBranch(_ context.Context, owner, repo, branch string) (ghport.Pull, bool, error) {
	if in.PullErr != nil {
		return ghport.Pull{}, false, in.PullErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	var newest Pull
	for _, p := range in.Pulls {
		if p.Repo == owner+"/"+repo && p.Head == branch && p.Number > newest.Number {
			newest = p
		}
	}
	return newest.Pull, newest.Number != 0, nil
}

// CommitByApp implements fixpr.GitHub.
func (in *Installation) CommitByApp(_ context.Context, _, _, sha string) (bool, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.AppCommits[sha], nil
}

// CreateTree records files and names the tree after them.
func (in *Installation) CreateTree(_ context.Context, _, _, baseTree string, files map[string][]byte) (string, error) {
	if in.CreateTreeErr != nil {
		return "", in.CreateTreeErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.CreatedTrees = append(in.CreatedTrees, files)
	return fmt.Sprintf("%s+%d", baseTree, len(in.CreatedTrees)), nil
}

// CreateCommit implements fixpr.GitHub.
func (in *Installation) CreateCommit(_ context.Context, _, _, _, tree string, _ []string) (string, error) {
	if in.CreateCommitErr != nil {
		return "", in.CreateCommitErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	sha := fmt.Sprintf("commit-%d-of-%s", in.id(), tree)
	if in.AppCommits == nil {
		in.AppCommits = map[string]bool{}
	}
	in.AppCommits[sha] = true
	return sha, nil
}

// CreateBranch implements fixpr.GitHub.
func (in *Installation) CreateBranch(_ context.Context, owner, repo, branch, sha string) error {
	if in.CreateBranchErr != nil {
		return in.CreateBranchErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	key := At(owner+"/"+repo, branch)
	if _, ok := in.Heads[key]; ok {
		return ghport.ErrRefExists
	}
	if in.Heads == nil {
		in.Heads = map[string]string{}
	}
	in.Heads[key] = sha
	return nil
}

// UpdateBranch moves the branch; the fake knows no ancestry, so it never refuses
// a fast-forward.
func (in *Installation) UpdateBranch(_ context.Context, owner, repo, branch, sha string, _ bool) error {
	if in.UpdateBranchErr != nil {
		return in.UpdateBranchErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.Heads == nil {
		in.Heads = map[string]string{}
	}
	in.Heads[At(owner+"/"+repo, branch)] = sha
	return nil
}

// DeleteBranch implements fixpr.GitHub.
func (in *Installation) DeleteBranch(_ context.Context, owner, repo, branch string) error {
	if in.DeleteBranchErr != nil {
		return in.DeleteBranchErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.Heads, At(owner+"/"+repo, branch))
	return nil
}

// CreatePull opens a pull request by the app.
func (in *Installation) CreatePull(_ context.Context, owner, repo string, p ghport.NewPull) (int, error) {
	if in.CreatePullErr != nil {
		return 0, in.CreatePullErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 1
	for _, pr := range in.Pulls {
		n = max(n, pr.Number+1)
	}
	in.Pulls = append(in.Pulls, Pull{Repo: owner + "/" + repo, Head: p.Head, Base: p.Base, Pull: ghport.Pull{
		Number: n, Open: true, ByApp: true, HeadSHA: in.Heads[At(owner+"/"+repo, p.Head)], Title: p.Title, Body: p.Body}})
	return n, nil
}

// EditPull implements fixpr.GitHub.
func (in *Installation) EditPull(_ context.Context, owner, repo string, number int, title, body string, close bool) error {
	if in.EditPullErr != nil {
		return in.EditPullErr
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	i := slices.IndexFunc(in.Pulls, func(p Pull) bool { return p.Repo == owner+"/"+repo && p.Number == number })
	if i < 0 {
		return fmt.Errorf("pull %d: %w", number, ghport.ErrGone)
	}
	p := &in.Pulls[i]
	p.Title, p.Body, p.Open = title, body, p.Open && !close
	return nil
}

// Files are a repository's files, path to content: a policies.Snapshot whose
// entries carry git's blob SHAs.
type Files map[string]string

// Entries implements policies.Snapshot.
func (f Files) Entries(context.Context) ([]policies.Entry, error) {
	out := make([]policies.Entry, 0, len(f))
	for _, p := range slices.Sorted(maps.Keys(f)) {
		sum := sha1.Sum([]byte("blob " + strconv.Itoa(len(f[p])) + "\x00" + f[p]))
		out = append(out, policies.Entry{Path: p, SHA: hex.EncodeToString(sum[:]), Size: int64(len(f[p]))})
	}
	return out, nil
}

// Read implements policies.Snapshot.
func (f Files) Read(_ context.Context, paths []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, p := range paths {
		if c, ok := f[p]; ok {
			out[p] = []byte(c)
		}
	}
	return out, nil
}

// Tree names the files' tree: equal files, equal tree.
func (f Files) Tree() string {
	h := sha1.New()
	entries, _ := f.Entries(context.Background())
	for _, e := range entries {
		fmt.Fprintf(h, "%s %s\n", e.SHA, e.Path)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// snapshot serves a repository's files at a ref through the installation's
// errors, counting its listing; a stored one (tree set) has its listing already.
type snapshot struct {
	in      *Installation
	key     string
	files   Files
	tree    string
	entries []policies.Entry
	listed  bool // guarded by in.mu
}

// Entries implements policies.Snapshot.
func (s *snapshot) Entries(ctx context.Context) ([]policies.Entry, error) {
	if err := s.err(); err != nil {
		return nil, err
	}
	if s.tree != "" {
		return s.entries, nil
	}
	s.in.mu.Lock()
	if !s.listed {
		if s.in.Listed == nil {
			s.in.Listed = map[string]int{}
		}
		s.in.Listed[s.key]++
		s.listed = true
	}
	s.in.mu.Unlock()
	return s.files.Entries(ctx)
}

// Read implements policies.Snapshot.
func (s *snapshot) Read(ctx context.Context, paths []string) (map[string][]byte, error) {
	if err := s.err(); err != nil {
		return nil, err
	}
	return s.files.Read(ctx, paths)
}

func (s *snapshot) err() error {
	if s.in.SnapshotErr != nil {
		return s.in.SnapshotErr
	}
	if s.files == nil {
		return fmt.Errorf("tree of %s: %w", cmp.Or(s.key, s.tree), ghport.ErrGone)
	}
	return nil
}
