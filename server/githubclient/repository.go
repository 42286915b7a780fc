package githubclient

import (
	"context"
	"fmt"
	"net/url"

	"github.com/google/go-github/v60/github"
)

// File reads one file at ref through the contents API. A missing file (404), a
// directory, a submodule or a symlink leaving the repository is found=false.
func (in *Installation) File(ctx context.Context, owner, repo, ref, path string) ([]byte, bool, error) {
	ctx = in.withID(ctx)
	what := fmt.Sprintf("read %s from %s/%s@%s", path, owner, repo, ref)
	file, _, _, err := in.gh.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		if isNotFound(err) {
			return nil, false, nil
		}
		return nil, false, classify(what, err)
	}
	if file == nil || file.GetType() != "file" {
		return nil, false, nil
	}
	if file.GetSize() > maxBlobBytes {
		return nil, false, fmt.Errorf("%s: %d bytes, above the %d-byte guard", what, file.GetSize(), maxBlobBytes)
	}
	switch file.GetEncoding() {
	case "base64":
		data, err := file.GetContent() // decodes the base64
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", what, err)
		}
		return []byte(data), true, nil
	case "none", "":
		// Above 1 MB the contents API leaves the content out; the blob has it.
		if file.GetSHA() == "" {
			return nil, false, fmt.Errorf("%s: GitHub sent neither content nor blob SHA", what)
		}
		data, err := fetchBlob(ctx, in.gh, owner, repo, file.GetSHA())
		if err != nil {
			return nil, false, err
		}
		return data, true, nil
	default:
		return nil, false, fmt.Errorf("%s: unsupported encoding %q", what, file.GetEncoding())
	}
}

// BranchHead is the commit a branch points at.
func (in *Installation) BranchHead(ctx context.Context, owner, repo, branch string) (string, error) {
	ctx = in.withID(ctx)
	what := fmt.Sprintf("read branch %s of %s/%s", branch, owner, repo)
	// Not Repositories.GetBranch: it bypasses go-github's error parsing, which the
	// rate-limit and ErrGone mapping rely on.
	req, err := in.gh.NewRequest("GET", fmt.Sprintf("repos/%s/%s/branches/%s", url.PathEscape(owner), url.PathEscape(repo), url.PathEscape(branch)), nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	var b struct {
		Commit struct {
			SHA string `json:"sha"`
		} `json:"commit"`
	}
	if _, err := in.gh.Do(ctx, req, &b); err != nil {
		return "", classify(what, err)
	}
	if b.Commit.SHA == "" {
		return "", fmt.Errorf("%s: GitHub answered without a commit", what)
	}
	return b.Commit.SHA, nil
}
