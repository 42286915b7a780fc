// Package fixpr keeps one "Fix it for me" pull request per repository: it opens
// it from branch golden-path/fixes with the files policies/fix generated, updates
// it in place when they change, closes it when nothing is left to fix, never
// proposes again files a person refused by closing it unmerged, and never
// pushes over a commit a person added to the branch. It reaches GitHub through
// the small GitHub port and remembers through Memory; it decides, nothing more.
package fixpr

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies/fix"
	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/markdown"
	"github.com/goldenpath/goldenpath/server/store"
)

// The pull request's branch, title and the marker its body carries.
const (
	Branch = controls.FixBranch
	Title  = "Golden Path: add missing golden-path files"
	Marker = "<!-- goldenpath:fix -->"
)

// GitHub is what keeping a fix pull request needs of one installation.
type GitHub interface {
	// Pull reads a pull request; PullFromBranch the newest one from branch in
	// any state (found false when there is none).
	Pull(ctx context.Context, owner, repo string, number int) (ghport.Pull, error)
	PullFromBranch(ctx context.Context, owner, repo, branch string) (pr ghport.Pull, found bool, err error)
	// CommitByApp says whether the app made commit sha.
	CommitByApp(ctx context.Context, owner, repo, sha string) (bool, error)
	BranchHead(ctx context.Context, owner, repo, branch string) (string, error)
	// CreateTree adds files (path → content, sent inline) to baseTree.
	CreateTree(ctx context.Context, owner, repo, baseTree string, files map[string][]byte) (string, error)
	CreateCommit(ctx context.Context, owner, repo, message, tree string, parents []string) (string, error)
	// CreateBranch fails with ghport.ErrRefExists when it exists; UpdateBranch
	// without force with ghport.ErrNotFastForward when sha does not descend from
	// the branch's head, and with ghport.ErrRefMissing when there is no branch.
	CreateBranch(ctx context.Context, owner, repo, branch, sha string) error
	UpdateBranch(ctx context.Context, owner, repo, branch, sha string, force bool) error
	DeleteBranch(ctx context.Context, owner, repo, branch string) error
	CreatePull(ctx context.Context, owner, repo string, p ghport.NewPull) (int, error)
	// EditPull sets the title and body, and closes the pull request when close.
	EditPull(ctx context.Context, owner, repo string, number int, title, body string, close bool) error
}

// Memory keeps what the app knows of each repository's fix pull request.
type Memory interface {
	FixPull(ctx context.Context, repoID int64) (store.FixPull, error)
	SaveFixPull(ctx context.Context, fp store.FixPull) error
}

// Request is one repository to fix, as its default branch was evaluated.
type Request struct {
	RepoID        int64
	Owner, Repo   string
	DefaultBranch string
	// Base is the default branch's head commit the files were generated for,
	// BaseTree its tree.
	Base, BaseTree string
	// Plan is what the generators made of the failing rules.
	Plan *fix.Plan
}

// Outcome is what happened to a repository's fix pull request.
type Outcome string

const (
	Opened    Outcome = "opened"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
	Closed    Outcome = "closed"  // nothing left to fix: the app closed it
	Nothing   Outcome = "nothing" // nothing to fix and no pull request
	Refused   Outcome = "refused" // a person refused every file left to propose
	Blocked   Outcome = "blocked" // a person's commit is on the branch: left to them
)

// Result says what Keep did.
type Result struct {
	Outcome Outcome
	Number  int
	// Files are the paths the pull request adds.
	Files []string
}

// Keep brings the repository's fix pull request in line with the plan. A
// request to GitHub that fails ends it with that error, unretried: the caller
// decides (a missing permission is reported, not retried).
func Keep(ctx context.Context, gh GitHub, mem Memory, req Request) (Result, error) {
	full := req.Owner + "/" + req.Repo
	fp, err := mem.FixPull(ctx, req.RepoID)
	if err != nil {
		return Result{}, err
	}
	fp.Owner = req.Owner
	if files := proposable(req.Plan.Files, fp.Refused); len(files) > 0 && fp.KnownOpen && fp.Number != 0 {
		// Webhooks say when it is closed, reopened or pushed to by someone else,
		// so it is not read first. A change that slipped between both is caught
		// by the push: a person's commit makes it no fast-forward, and a merged
		// pull request's deleted branch makes it fail, and then it is read.
		// Closing it is never done blind: that deletes the branch.
		pr := ghport.Pull{Number: fp.Number, Open: true, ByApp: true, HeadSHA: fp.Head, Title: Title, Body: fp.Body}
		res, err := update(ctx, gh, mem, req, fp, pr, files)
		if !errors.Is(err, ghport.ErrRefMissing) {
			return res, err
		}
		fp.KnownOpen = false
	}
	var pr ghport.Pull
	found := false
	if fp.Number != 0 && !fp.ClosedByApp {
		pr, err = gh.Pull(ctx, req.Owner, req.Repo, fp.Number)
		found = err == nil
	} else {
		pr, found, err = gh.PullFromBranch(ctx, req.Owner, req.Repo, Branch)
	}
	if err != nil {
		return Result{}, fmt.Errorf("find the fix pull request of %s: %w", full, err)
	}
	if found && pr.ByApp && !pr.Open && !pr.Merged && !(fp.ClosedByApp && fp.Number == pr.Number) {
		// A person closed it unmerged: its files are refused for good. Without a
		// record of them (a lost database), everything proposed now is.
		refused := slices.Collect(maps.Keys(fp.Files))
		if fp.Number != pr.Number {
			refused = paths(req.Plan.Files)
		}
		fp.Refused = union(fp.Refused, refused)
		fp.Number, fp.ClosedByApp, fp.Files, fp.KnownOpen = pr.Number, false, nil, false
		if err := mem.SaveFixPull(ctx, fp); err != nil {
			return Result{}, err
		}
	}
	files := proposable(req.Plan.Files, fp.Refused)
	open := found && pr.Open
	if open && !pr.ByApp {
		return Result{Outcome: Blocked, Number: pr.Number}, nil
	}
	switch {
	case len(files) == 0 && !open:
		if len(req.Plan.Files) > 0 {
			return Result{Outcome: Refused}, nil
		}
		return Result{Outcome: Nothing}, nil
	case len(files) == 0:
		return closePull(ctx, gh, mem, req, fp, pr)
	case open:
		return update(ctx, gh, mem, req, fp, pr, files)
	}
	return create(ctx, gh, mem, req, fp, files)
}

func create(ctx context.Context, gh GitHub, mem Memory, req Request, fp store.FixPull, files []fix.File) (Result, error) {
	full := req.Owner + "/" + req.Repo
	head, err := commitFiles(ctx, gh, req, files, []string{req.Base})
	if err != nil {
		return Result{}, err
	}
	err = gh.CreateBranch(ctx, req.Owner, req.Repo, Branch, head)
	if errors.Is(err, ghport.ErrRefExists) {
		// Left from an earlier pull request (merged, or closed without the branch
		// being deleted): moved only when its head is the app's own commit.
		var ours bool
		if ours, err = branchIsOurs(ctx, gh, req, fp); err == nil && !ours {
			return Result{Outcome: Blocked}, nil
		}
		if err == nil {
			err = gh.UpdateBranch(ctx, req.Owner, req.Repo, Branch, head, true)
		}
	}
	if err != nil {
		return Result{}, fmt.Errorf("push %s of %s: %w", Branch, full, err)
	}
	body := Body(req, files)
	number, err := gh.CreatePull(ctx, req.Owner, req.Repo, ghport.NewPull{Title: Title, Body: body, Head: Branch, Base: req.DefaultBranch})
	if err != nil {
		return Result{}, fmt.Errorf("open the fix pull request of %s: %w", full, err)
	}
	fp.Number, fp.Head, fp.Base, fp.Files, fp.ClosedByApp, fp.KnownOpen, fp.Body = number, head, req.Base, digest(files), false, true, body
	if err := mem.SaveFixPull(ctx, fp); err != nil {
		return Result{}, err
	}
	return Result{Outcome: Opened, Number: number, Files: paths(files)}, nil
}

func update(ctx context.Context, gh GitHub, mem Memory, req Request, fp store.FixPull, pr ghport.Pull, files []fix.File) (Result, error) {
	full := req.Owner + "/" + req.Repo
	if pr.HeadSHA != fp.Head {
		// Another head than the app's last commit is a person's, unless the
		// record of that commit was lost: then the commit's author says.
		ours := false
		if fp.Head == "" {
			var err error
			if ours, err = gh.CommitByApp(ctx, req.Owner, req.Repo, pr.HeadSHA); err != nil {
				return Result{}, fmt.Errorf("check the head of the fix pull request of %s: %w", full, err)
			}
		}
		if !ours {
			return Result{Outcome: Blocked, Number: pr.Number}, nil
		}
		fp.Head = pr.HeadSHA
	}
	res := Result{Outcome: Unchanged, Number: pr.Number, Files: paths(files)}
	if maps.Equal(fp.Files, digest(files)) && fp.Base == req.Base {
		return res, nil
	}
	// A fast-forward from the app's last commit: a person's commit pushed
	// meanwhile makes it fail rather than vanish. A default branch that moved
	// is merged in, so the pull request's diff stays the added files.
	parents := []string{fp.Head}
	if fp.Base != req.Base {
		parents = append(parents, req.Base)
	}
	head, err := commitFiles(ctx, gh, req, files, parents)
	if err != nil {
		return Result{}, err
	}
	err = gh.UpdateBranch(ctx, req.Owner, req.Repo, Branch, head, false)
	if errors.Is(err, ghport.ErrNotFastForward) {
		if fp.KnownOpen {
			fp.KnownOpen = false
			if err := mem.SaveFixPull(ctx, fp); err != nil {
				return Result{}, err
			}
		}
		return Result{Outcome: Blocked, Number: pr.Number}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("push %s of %s: %w", Branch, full, err)
	}
	body := Body(req, files)
	if body != pr.Body || pr.Title != Title {
		if err := gh.EditPull(ctx, req.Owner, req.Repo, pr.Number, Title, body, false); err != nil {
			return Result{}, fmt.Errorf("edit the fix pull request of %s: %w", full, err)
		}
	}
	fp.Head, fp.Base, fp.Files, fp.KnownOpen, fp.Body = head, req.Base, digest(files), true, body
	res.Outcome = Updated
	return res, mem.SaveFixPull(ctx, fp)
}

func closePull(ctx context.Context, gh GitHub, mem Memory, req Request, fp store.FixPull, pr ghport.Pull) (Result, error) {
	full := req.Owner + "/" + req.Repo
	body := Marker + "\n\nNothing is left to fix: the golden-path rules this pull request fixed pass on " +
		markdown.Code(req.DefaultBranch) + " now. Closed by the app.\n"
	if err := gh.EditPull(ctx, req.Owner, req.Repo, pr.Number, Title, body, true); err != nil {
		return Result{}, fmt.Errorf("close the fix pull request of %s: %w", full, err)
	}
	// The branch goes too, unless a person's commit is on it.
	if pr.HeadSHA == fp.Head {
		if err := gh.DeleteBranch(ctx, req.Owner, req.Repo, Branch); err != nil {
			return Result{}, fmt.Errorf("delete %s of %s: %w", Branch, full, err)
		}
	}
	fp.Number, fp.ClosedByApp, fp.Files, fp.KnownOpen = pr.Number, true, nil, false
	return Result{Outcome: Closed, Number: pr.Number}, mem.SaveFixPull(ctx, fp)
}

// branchIsOurs says whether the existing fix branch's head is the app's commit.
func branchIsOurs(ctx context.Context, gh GitHub, req Request, fp store.FixPull) (bool, error) {
	head, err := gh.BranchHead(ctx, req.Owner, req.Repo, Branch)
	if err != nil || head == fp.Head {
		return err == nil, err
	}
	return gh.CommitByApp(ctx, req.Owner, req.Repo, head)
}

func commitFiles(ctx context.Context, gh GitHub, req Request, files []fix.File, parents []string) (string, error) {
	full := req.Owner + "/" + req.Repo
	contents := make(map[string][]byte, len(files))
	for _, f := range files {
		contents[f.Path] = f.Content
	}
	tree, err := gh.CreateTree(ctx, req.Owner, req.Repo, req.BaseTree, contents)
	if err != nil {
		return "", fmt.Errorf("write the fix tree of %s: %w", full, err)
	}
	head, err := gh.CreateCommit(ctx, req.Owner, req.Repo, commitMessage(files), tree, parents)
	if err != nil {
		return "", fmt.Errorf("write the fix commit of %s: %w", full, err)
	}
	return head, nil
}

func commitMessage(files []fix.File) string {
	var b strings.Builder
	b.WriteString("Add missing golden-path files\n\n")
	for _, f := range files {
		fmt.Fprintf(&b, "- %s (%s)\n", f.Path, f.Rule)
	}
	return b.String()
}

// Body is the pull request's description. Only the generators' own paths and
// rule IDs and the reasons they give appear, all made inert.
func Body(req Request, files []fix.File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nThis pull request adds the files that make failing golden-path rules pass on %s, generated from this repository's own facts (name, description, owner, package ecosystems).\n\n",
		Marker, markdown.Code(req.DefaultBranch))
	b.WriteString("| File | Makes pass |\n|---|---|\n")
	for _, f := range files {
		fmt.Fprintf(&b, "| %s | %s |\n", markdown.Code(f.Path), markdown.Code(f.Rule))
	}
	if len(req.Plan.Unfixable) > 0 {
		b.WriteString("\nNot fixed here (needs a person):\n\n")
		for _, u := range req.Plan.Unfixable {
			fmt.Fprintf(&b, "- %s: %s\n", markdown.Code(u.Rule), markdown.Text(u.Reason))
		}
	}
	b.WriteString("\nReview the owner and the description: they are the best the facts say. The app updates this pull request when the facts change and closes it when nothing is left to fix. Closing it unmerged tells the app never to propose these files again.\n")
	return b.String()
}

// proposable are the plan's files that no person refused.
func proposable(files []fix.File, refused []string) []fix.File {
	var out []fix.File
	for _, f := range files {
		if !slices.Contains(refused, f.Path) {
			out = append(out, f)
		}
	}
	return out
}

func paths(files []fix.File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// digest is the files as git names their contents: path → blob SHA.
func digest(files []fix.File) map[string]string {
	out := make(map[string]string, len(files))
	for _, f := range files {
		h := sha1.New()
		fmt.Fprintf(h, "blob %d\x00", len(f.Content))
		h.Write(f.Content)
		out[f.Path] = hex.EncodeToString(h.Sum(nil))
	}
	return out
}
