package githubclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/ghport"
)

// Pushing a branch without a clone, through the Git data API: a tree with the
// files inline on a base tree, a commit, a ref (see server/fixpr).

// CreateTree adds files (path → content) to baseTree in one request: contents
// go inline, so no blob is created apart.
func (in *Installation) CreateTree(ctx context.Context, owner, repo, baseTree string, files map[string][]byte) (string, error) {
	ctx = in.withID(ctx)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	entries := make([]*github.TreeEntry, len(paths))
	for i, p := range paths {
		entries[i] = &github.TreeEntry{Path: github.String(p), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String(string(files[p]))}
	}
	tree, _, err := in.gh.Git.CreateTree(ctx, owner, repo, baseTree, entries)
	if err != nil {
		return "", classify(fmt.Sprintf("create a tree on %s/%s", owner, repo), err)
	}
	return tree.GetSHA(), nil
}

// CreateCommit writes a commit of tree with parents; its author is the app.
func (in *Installation) CreateCommit(ctx context.Context, owner, repo, message, tree string, parents []string) (string, error) {
	ctx = in.withID(ctx)
	c := &github.Commit{Message: github.String(message), Tree: &github.Tree{SHA: github.String(tree)}}
	for _, p := range parents {
		c.Parents = append(c.Parents, &github.Commit{SHA: github.String(p)})
	}
	made, _, err := in.gh.Git.CreateCommit(ctx, owner, repo, c, nil)
	if err != nil {
		return "", classify(fmt.Sprintf("create a commit on %s/%s", owner, repo), err)
	}
	return made.GetSHA(), nil
}

// CommitByApp says whether the app's bot wrote commit sha (GitHub names the
// token's user as author of a commit created without one).
func (in *Installation) CommitByApp(ctx context.Context, owner, repo, sha string) (bool, error) {
	what := fmt.Sprintf("read commit %s of %s/%s", ghport.ShortSHA(sha), owner, repo)
	bot, err := in.client.botLogin(ctx)
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	c, _, err := in.gh.Git.GetCommit(in.withID(ctx), owner, repo, sha)
	if err != nil {
		return false, classify(what, err)
	}
	return strings.EqualFold(c.GetAuthor().GetName(), bot) && strings.EqualFold(c.GetCommitter().GetName(), bot), nil
}

// CreateBranch points a new branch at sha; ghport.ErrRefExists when it exists.
func (in *Installation) CreateBranch(ctx context.Context, owner, repo, branch, sha string) error {
	ref := &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: github.String(sha)}}
	_, _, err := in.gh.Git.CreateRef(in.withID(ctx), owner, repo, ref)
	return refError(fmt.Sprintf("create branch %s of %s/%s", branch, owner, repo), err, "Reference already exists", ghport.ErrRefExists)
}

// UpdateBranch moves a branch to sha; without force, ghport.ErrNotFastForward
// when sha does not descend from the branch's head.
func (in *Installation) UpdateBranch(ctx context.Context, owner, repo, branch, sha string, force bool) error {
	ref := &github.Reference{Ref: github.String("heads/" + branch), Object: &github.GitObject{SHA: github.String(sha)}}
	_, _, err := in.gh.Git.UpdateRef(in.withID(ctx), owner, repo, ref, force)
	what := fmt.Sprintf("move branch %s of %s/%s", branch, owner, repo)
	if unprocessable(err, "Reference does not exist") {
		return fmt.Errorf("%s: %w: %w", what, ghport.ErrRefMissing, err)
	}
	return refError(what, err, "Update is not a fast forward", ghport.ErrNotFastForward)
}

// DeleteBranch deletes a branch; one already gone is no error.
func (in *Installation) DeleteBranch(ctx context.Context, owner, repo, branch string) error {
	_, err := in.gh.Git.DeleteRef(in.withID(ctx), owner, repo, "heads/"+branch)
	if unprocessable(err, "Reference does not exist") {
		return nil
	}
	return classify(fmt.Sprintf("delete branch %s of %s/%s", branch, owner, repo), err)
}

// refError maps GitHub's 422 with message to sentinel, and classifies the rest.
func refError(what string, err error, message string, sentinel error) error {
	if unprocessable(err, message) {
		return fmt.Errorf("%s: %w: %w", what, sentinel, err)
	}
	return classify(what, err)
}

func unprocessable(err error, message string) bool {
	var apiErr *github.ErrorResponse
	return errors.As(err, &apiErr) && apiErr.Response != nil && apiErr.Response.StatusCode == http.StatusUnprocessableEntity &&
		strings.EqualFold(apiErr.Message, message)
}
