package policies

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// pathIndex is the snapshot's file list with the lookups rules need, built once per
// evaluation so that neither rules nor the reads matcher scan every path.
type pathIndex struct {
	entries   []Entry // sorted by path
	byPath    map[string]int
	names     map[string][]string // base name → paths
	baseNames []string            // sorted unique base names
}

func newPathIndex(entries []Entry) *pathIndex {
	sorted := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Path = strings.TrimPrefix(e.Path, "./"); e.Path != "" {
			sorted = append(sorted, e)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	ix := &pathIndex{
		entries: sorted,
		byPath:  make(map[string]int, len(sorted)),
		names:   make(map[string][]string),
	}
	for i, e := range sorted {
		ix.byPath[e.Path] = i
		base := path.Base(e.Path)
		if _, seen := ix.names[base]; !seen {
			ix.baseNames = append(ix.baseNames, base)
		}
		ix.names[base] = append(ix.names[base], e.Path)
	}
	sort.Strings(ix.baseNames)
	return ix
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
// answered from the narrowest index that can: an exact path, base names sharing its
// literal prefix, or paths under its literal directory prefix.
func (ix *pathIndex) match(globs []string) []string {
	found := map[string]bool{}
	for _, g := range globs {
		for _, p := range expandBraces(g) {
			ix.matchOne(p, found)
		}
	}
	out := make([]string, 0, len(found))
	for p := range found {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (ix *pathIndex) matchOne(pattern string, found map[string]bool) {
	meta := strings.IndexAny(pattern, `*?[\`)
	switch {
	case meta < 0:
		if _, ok := ix.byPath[pattern]; ok {
			found[pattern] = true
		}
	case !strings.Contains(pattern, "/"):
		// A root-level pattern: a root file's path is its base name.
		ix.eachBaseName(pattern, func(base string) {
			if _, ok := ix.byPath[base]; ok {
				found[base] = true
			}
		})
	case strings.HasPrefix(pattern, "**/") && !strings.Contains(pattern[3:], "/"):
		ix.eachBaseName(pattern[3:], func(base string) {
			for _, p := range ix.names[base] {
				found[p] = true
			}
		})
	default:
		prefix := pattern[:strings.LastIndexByte(pattern[:meta], '/')+1]
		start := sort.Search(len(ix.entries), func(i int) bool { return ix.entries[i].Path >= prefix })
		for _, e := range ix.entries[start:] {
			if !strings.HasPrefix(e.Path, prefix) {
				break
			}
			if ok, _ := doublestar.Match(pattern, e.Path); ok {
				found[e.Path] = true
			}
		}
	}
}

// eachBaseName calls fn for every unique base name matching a pattern without "/".
func (ix *pathIndex) eachBaseName(pattern string, fn func(string)) {
	prefix := pattern
	if i := strings.IndexAny(pattern, `*?[\`); i >= 0 {
		prefix = pattern[:i]
	}
	start := sort.SearchStrings(ix.baseNames, prefix)
	for _, b := range ix.baseNames[start:] {
		if !strings.HasPrefix(b, prefix) {
			break
		}
		if ok, _ := doublestar.Match(pattern, b); ok {
			fn(b)
		}
	}
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
		for _, rest := range expandBraces(p[:open] + p[last:c] + p[close+1:]) {
			out = append(out, rest)
		}
		last = c + 1
	}
	return out
}
