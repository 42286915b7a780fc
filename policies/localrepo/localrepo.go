// Package localrepo provides a repository snapshot of a local directory, for
// `goldenpath check`.
package localrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// maxRead caps what Read takes from one file: the engine's own per-file limit is
// lower, and a larger read only tells it the file is too large.
const maxRead = 16 << 20

// Dir is a snapshot of a directory: the files git tracks (and untracked ones it does
// not ignore) in a git checkout, otherwise every file except those under .git.
type Dir struct {
	root    string
	entries []policies.Entry
	modes   map[string]fs.FileMode
	// unreadable are the directories the walk could not read.
	unreadable []string
}

// Open lists the files of dir.
func Open(ctx context.Context, dir string) (*Dir, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, errors.Unwrap(err))
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("open %s: not a directory", dir)
	}
	d := &Dir{root: dir, modes: map[string]fs.FileMode{}}
	paths, shas, err := gitFiles(ctx, dir)
	if err != nil {
		paths, d.unreadable, err = walk(dir)
		if err != nil {
			return nil, err
		}
	}
	for _, p := range paths {
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil || !(fi.Mode().IsRegular() || fi.Mode()&fs.ModeSymlink != 0) {
			continue // deleted in the work tree, or not a file
		}
		d.modes[p] = fi.Mode()
		d.entries = append(d.entries, policies.Entry{Path: p, SHA: shas[p], Size: fi.Size()})
	}
	return d, nil
}

// Entries implements policies.Snapshot.
func (d *Dir) Entries(context.Context) ([]policies.Entry, error) { return d.entries, nil }

// PartialReason implements policies.Partial: the directories the walk could
// not read, whose files the listing lacks.
func (d *Dir) PartialReason() string {
	if len(d.unreadable) == 0 {
		return ""
	}
	shown := d.unreadable[:min(len(d.unreadable), 3)]
	more := ""
	if n := len(d.unreadable) - len(shown); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Sprintf("listed %d paths: could not read %s%s", len(d.entries), strings.Join(shown, ", "), more)
}

// Read implements policies.Snapshot. A symlink reads as its target, as git stores it,
// so a link can never make the engine read outside the directory.
func (d *Dir) Read(_ context.Context, paths []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		mode, ok := d.modes[p]
		if !ok {
			continue
		}
		full := filepath.Join(d.root, filepath.FromSlash(p))
		if mode&fs.ModeSymlink != 0 {
			if target, err := os.Readlink(full); err == nil {
				out[p] = []byte(target)
			}
			continue
		}
		f, err := os.Open(full)
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, maxRead))
		f.Close()
		if err == nil {
			out[p] = b
		}
	}
	return out, nil
}

// gitFiles lists tracked files with their blob shas, plus untracked files that are
// not ignored, so a file about to be committed is checked too.
func gitFiles(ctx context.Context, dir string) ([]string, map[string]string, error) {
	tracked, err := exec.CommandContext(ctx, "git", "-C", dir, "ls-files", "-s", "-z").Output()
	if err != nil {
		return nil, nil, err
	}
	untracked, err := exec.CommandContext(ctx, "git", "-C", dir, "ls-files", "-o", "--exclude-standard", "-z").Output()
	if err != nil {
		return nil, nil, err
	}
	shas := map[string]string{}
	var paths []string
	for _, rec := range bytes.Split(tracked, []byte{0}) {
		// "<mode> <sha> <stage>\t<path>"
		meta, p, ok := strings.Cut(string(rec), "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 || fields[0] == "160000" {
			continue // empty record or a submodule
		}
		if stage, _ := strconv.Atoi(fields[2]); stage > 1 {
			continue // the other sides of a merge conflict
		}
		paths = append(paths, p)
		shas[p] = fields[1]
	}
	for _, rec := range bytes.Split(untracked, []byte{0}) {
		if len(rec) > 0 {
			paths = append(paths, string(rec))
		}
	}
	return paths, shas, nil
}

// walk lists every regular file and symlink under dir, skipping .git, and the
// subdirectories it could not read. WalkDir does not follow symlinks, so a
// symlink loop cannot trap it.
func walk(dir string) (paths, unreadable []string, err error) {
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			// An unreadable subdirectory is left out, not fatal: the listing is partial.
			if rel, rerr := filepath.Rel(dir, p); rerr == nil {
				unreadable = append(unreadable, filepath.ToSlash(rel))
			}
			return nil
		}
		if e.IsDir() && e.Name() == ".git" {
			return filepath.SkipDir
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list files of %s: %w", dir, err)
	}
	return paths, unreadable, nil
}

// Repository names the checkout after its origin remote (owner/name) when it has one,
// otherwise after the directory.
func (d *Dir) Repository(ctx context.Context) policies.Repository {
	repo := policies.Repository{}
	if abs, err := filepath.Abs(d.root); err == nil {
		repo.Name = filepath.Base(abs)
	}
	out, err := exec.CommandContext(ctx, "git", "-C", d.root, "remote", "get-url", "origin").Output()
	if err != nil {
		return repo
	}
	if owner, name, ok := ownerAndName(strings.TrimSpace(string(out))); ok {
		repo.Owner, repo.Name = owner, name
	}
	return repo
}

// ownerAndName reads owner/name from git@host:owner/name.git or https://host/owner/name.
func ownerAndName(url string) (string, string, bool) {
	url = strings.TrimSuffix(strings.TrimSuffix(url, "/"), ".git")
	if i := strings.Index(url, "://"); i >= 0 {
		url = url[i+3:]
	} else if i := strings.Index(url, ":"); i >= 0 {
		url = strings.Replace(url, ":", "/", 1)
	}
	parts := strings.Split(url, "/")
	if len(parts) < 3 || parts[len(parts)-2] == "" || parts[len(parts)-1] == "" {
		return "", "", false
	}
	return parts[len(parts)-2], parts[len(parts)-1], true
}
