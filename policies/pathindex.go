package policies

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// pathIndex is the snapshot's file list with the lookups rules need, built once per
// evaluation so that neither rules nor the reads matcher scan every path.
type pathIndex struct {
	entries []Entry // sorted by path
	// names maps a base name to its paths ([]string). The values are typed any so
	// the map can be handed to the input document as is.
	names map[string]any
	// exts maps a lower-case extension to its paths ([]string), dirs every
	// directory holding a file at any depth to true; typed any like names.
	exts map[string]any
	dirs map[string]any
	// dirNames maps a directory's own name to the directories so named at any
	// depth ([]string): "k8s" → ["cron/k8s", "k8s"]. Rules find manifest,
	// dashboard and SLO directories anywhere without walking dirs.
	dirNames map[string]any
	root     []string // files at the root, sorted
}

func newPathIndex(entries []Entry) *pathIndex {
	sorted := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Path = strings.TrimPrefix(e.Path, "./"); e.Path != "" {
			sorted = append(sorted, e)
		}
	}
	byPath := func(a, b Entry) int { return strings.Compare(a.Path, b.Path) }
	if !slices.IsSortedFunc(sorted, byPath) {
		slices.SortFunc(sorted, byPath)
	}
	byName := make(map[string][]string, len(sorted))
	ix := &pathIndex{entries: sorted}
	for _, e := range sorted {
		base := e.Path[strings.LastIndexByte(e.Path, '/')+1:]
		byName[base] = append(byName[base], e.Path)
		if base == e.Path {
			ix.root = append(ix.root, e.Path)
		}
	}
	ix.names = make(map[string]any, len(byName))
	for base, ps := range byName {
		ix.names[base] = ps
	}
	exts := map[string][]string{}
	ix.dirs = make(map[string]any, len(sorted)/8)
	dirNames := map[string][]string{}
	lastDir := ""
	for _, e := range sorted {
		if x := ext(e.Path); x != "" {
			exts[x] = append(exts[x], e.Path)
		}
		// Entries are sorted, so most paths share the previous one's directory.
		dir := parentDir(e.Path)
		if dir == lastDir {
			continue
		}
		lastDir = dir
		for ; dir != "" && ix.dirs[dir] == nil; dir = parentDir(dir) {
			ix.dirs[dir] = true
			name := dir[strings.LastIndexByte(dir, '/')+1:]
			dirNames[name] = append(dirNames[name], dir)
		}
	}
	ix.exts = make(map[string]any, len(exts))
	for x, ps := range exts {
		ix.exts[x] = ps
	}
	ix.dirNames = make(map[string]any, len(dirNames))
	for name, ds := range dirNames {
		slices.Sort(ds)
		ix.dirNames[name] = ds
	}
	return ix
}

// hasDir reports whether a directory (no trailing slash) holds a file.
func (ix *pathIndex) hasDir(d string) bool { return ix.dirs[d] != nil }

// entry finds a path by binary search.
func (ix *pathIndex) entry(p string) (Entry, bool) {
	i, found := slices.BinarySearchFunc(ix.entries, p, func(e Entry, p string) int { return strings.Compare(e.Path, p) })
	if !found {
		return Entry{}, false
	}
	return ix.entries[i], true
}

// ext is the lower-case extension with its dot, "" when there is none (Dockerfile)
// or the name is a dotfile without one (.gitignore).
func ext(p string) string {
	base := path.Base(p)
	i := strings.LastIndexByte(base, '.')
	if i <= 0 {
		return ""
	}
	return strings.ToLower(base[i:])
}

// validGlob checks a reads pattern once, when its rule is loaded.
func validGlob(g string) error {
	for _, p := range expandBraces(g) {
		if !doublestar.ValidatePattern(p) || strings.HasPrefix(p, "/") {
			return fmt.Errorf("invalid glob %q", g)
		}
	}
	return nil
}

// match returns the paths matching any of the globs, in path order. Each glob is
// answered from the narrowest index that can: an exact path, the files of one
// directory, one shared pass over the base names, or the paths under its literal
// directory prefix.
func (ix *pathIndex) match(globs []string) []string {
	found := map[string]bool{}
	var byName []basePattern
	for _, g := range globs {
		for _, p := range expandBraces(g) {
			if bp, ok := ix.matchOne(p, found); ok {
				byName = append(byName, bp)
			}
		}
	}
	if len(byName) > 0 {
		for name, ps := range ix.names {
			for _, bp := range byName {
				if bp.matches(name) {
					for _, p := range ps.([]string) {
						found[p] = true
					}
					break
				}
			}
		}
	}
	out := make([]string, 0, len(found))
	for p := range found {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// filesIn lists the files directly in a directory given with its trailing
// slash ("" for the root), skipping its subdirectories' files without matching
// them.
func (ix *pathIndex) filesIn(prefix string) []string {
	if prefix == "" {
		return ix.root
	}
	var out []string
	start, _ := slices.BinarySearchFunc(ix.entries, prefix, func(e Entry, p string) int { return strings.Compare(e.Path, p) })
	for _, e := range ix.entries[start:] {
		if !strings.HasPrefix(e.Path, prefix) {
			break
		}
		if strings.IndexByte(e.Path[len(prefix):], '/') < 0 {
			out = append(out, e.Path)
		}
	}
	return out
}

// basePattern is a "**/<name glob>" pattern, matched against base names.
type basePattern struct{ glob, head, tail string }

func (b basePattern) matches(name string) bool {
	if !strings.HasPrefix(name, b.head) || !strings.HasSuffix(name, b.tail) {
		return false // the literal head and tail rule out most names cheaply
	}
	ok, _ := doublestar.Match(b.glob, name)
	return ok
}

// matchOne adds the matches of one brace-free pattern to found, or returns it as a
// base-name pattern for the shared pass.
func (ix *pathIndex) matchOne(pattern string, found map[string]bool) (basePattern, bool) {
	const meta = `*?[\`
	metaAt := strings.IndexAny(pattern, meta)
	switch {
	case metaAt < 0:
		if _, ok := ix.entry(pattern); ok {
			found[pattern] = true
		}
	case !strings.Contains(pattern[metaAt:], "/"):
		// Files directly in one literal directory ("README*", "docs/*.md").
		for _, p := range ix.filesIn(pattern[:strings.LastIndexByte(pattern, '/')+1]) {
			if ok, _ := doublestar.Match(pattern, p); ok {
				found[p] = true
			}
		}
	case strings.HasPrefix(pattern, "**/") && !strings.Contains(pattern[3:], "/"):
		base := pattern[3:]
		if !strings.ContainsAny(base, meta) {
			ps, _ := ix.names[base].([]string)
			for _, p := range ps {
				found[p] = true
			}
			break
		}
		return basePattern{glob: base, head: base[:strings.IndexAny(base, meta)], tail: base[strings.LastIndexAny(base, `*?]\`)+1:]}, true
	default:
		prefix := pattern[:strings.LastIndexByte(pattern[:metaAt], '/')+1]
		start, _ := slices.BinarySearchFunc(ix.entries, prefix, func(e Entry, p string) int { return strings.Compare(e.Path, p) })
		for _, e := range ix.entries[start:] {
			if !strings.HasPrefix(e.Path, prefix) {
				break
			}
			if ok, _ := doublestar.Match(pattern, e.Path); ok {
				found[e.Path] = true
			}
		}
	}
	return basePattern{}, false
}

// expandBraces turns "{a,b}*.md" into "a*.md" and "b*.md" so that each alternative
// keeps a literal prefix the indexes can use. Nested braces expand recursively.
func expandBraces(p string) []string {
	open := strings.IndexByte(p, '{')
	if open < 0 {
		return []string{p}
	}
	depth, close := 0, -1
	var commas []int
	for i := open; i < len(p) && close < 0; i++ {
		switch p[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				close = i
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	if close < 0 {
		return []string{p}
	}
	var out []string
	last := open + 1
	for _, c := range append(commas, close) {
		out = append(out, expandBraces(p[:open]+p[last:c]+p[close+1:])...)
		last = c + 1
	}
	return out
}
