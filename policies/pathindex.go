package policies

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
)

// pathIndex is the snapshot's file list with the lookups rules need, built once per
// evaluation so that neither rules nor the reads matcher scan every path.
type pathIndex struct {
	entries []Entry // sorted by path
	// The whole tree's names, exts and dirNames (repository paths). Its
	// pathSet, and dirs, are maps of every path and every directory: only a
	// custom rule reads them (input.path_set, input.dirs), so they are built
	// on first use; the engine and the bundled rules look in entries. exts
	// and dirNames are built while the catalog is read: read them through
	// extsMap and dirNamesMap, which wait for them.
	dirIndex
	more  sync.WaitGroup
	root  []string // files at the root, sorted
	paths []string // every path, sorted: input.paths

	setOnce, dirsOnce sync.Once
	dirs              map[string]any
}

// dirIndex is the lookups of the files below one directory: the repository's
// for the root, a component's for its directory. The maps are typed any so they
// can be handed to the input document as they are.
type dirIndex struct {
	// pathSet maps every file's path, relative to the directory, to true: a
	// rule tests a file's presence with one lookup.
	pathSet map[string]any
	// names maps a base name to its repository paths ([]string), exts a
	// lower-case extension to its repository paths.
	names map[string]any
	exts  map[string]any
	// dirNames maps a directory's own name to the repository paths of the
	// directories so named at any depth below the directory ([]string): "k8s" →
	// ["cron/k8s", "k8s"]. Rules find manifest, dashboard and SLO directories
	// anywhere without walking dirs.
	dirNames map[string]any
}

func newPathIndex(entries []Entry) *pathIndex {
	byPath := func(a, b Entry) int { return strings.Compare(a.Path, b.Path) }
	// A listing is usually clean and sorted already (a git tree is): it is
	// then used as it is, read only, rather than copied.
	sorted := entries
	if slices.ContainsFunc(entries, func(e Entry) bool { return e.Path == "" || strings.HasPrefix(e.Path, "./") }) ||
		!slices.IsSortedFunc(entries, byPath) {
		sorted = make([]Entry, 0, len(entries))
		for _, e := range entries {
			if e.Path = strings.TrimPrefix(e.Path, "./"); e.Path != "" {
				sorted = append(sorted, e)
			}
		}
		slices.SortFunc(sorted, byPath)
	}
	ix := &pathIndex{entries: sorted}
	// Every evaluation waits for the index, which takes milliseconds for a
	// large tree: what only rules and inference look at is built on the side,
	// while the catalog, the components and the files are read.
	ix.more.Go(func() {
		exts, dirNames := newGrouper(len(sorted)), newGrouper(len(sorted)) // a tree of one-file directories has as many directories as files
		prev := ""
		for _, e := range sorted {
			p := e.Path
			if x := ext(p[strings.LastIndexByte(p, '/')+1:]); x != "" {
				exts.add(x, p)
			}
			for dir := parentDir(p); isNewDir(dir, prev, ""); dir = parentDir(dir) {
				dirNames.add(dir[strings.LastIndexByte(dir, '/')+1:], dir)
			}
			prev = p
		}
		ix.exts = exts.lists()
		ix.dirNames = dirNames.lists()
		for _, ds := range ix.dirNames {
			// Found in entry order: "a/b-c" before "a/b".
			slices.Sort(ds.([]string))
		}
	})
	ix.paths = make([]string, len(sorted))
	names := newGrouper(len(sorted))
	for i, e := range sorted {
		p := e.Path
		ix.paths[i] = p
		base := p[strings.LastIndexByte(p, '/')+1:]
		names.add(base, p)
		if base == p {
			ix.root = append(ix.root, p)
		}
	}
	ix.names = names.lists()
	return ix
}

// grouper groups strings by key into lists that share one backing array: one
// map lookup a string, and no list grows (babel has 8,581 input.js; grown by
// appending, each list would leave copies of itself behind for the GC).
type grouper struct {
	ids    map[string]int32
	keys   []string
	counts []int32
	items  []string
	of     []int32 // the key of each item
}

func newGrouper(capacity int) *grouper {
	return &grouper{ids: map[string]int32{}, items: make([]string, 0, capacity), of: make([]int32, 0, capacity)}
}

func (g *grouper) add(key, item string) {
	id, ok := g.ids[key]
	if !ok {
		id = int32(len(g.keys))
		g.ids[key] = id
		g.keys = append(g.keys, key)
		g.counts = append(g.counts, 0)
	}
	g.counts[id]++
	g.items = append(g.items, item)
	g.of = append(g.of, id)
}

// lists is each key's items, in the order added, as []string typed any so
// that the map can be handed to the input document as it is.
func (g *grouper) lists() map[string]any {
	start, next := make([]int32, len(g.keys)), make([]int32, len(g.keys))
	n := int32(0)
	for id, c := range g.counts {
		start[id], next[id] = n, n
		n += c
	}
	all := make([]string, n)
	for i, id := range g.of {
		all[next[id]] = g.items[i]
		next[id]++
	}
	out := make(map[string]any, len(g.keys))
	for id, k := range g.keys {
		out[k] = all[start[id]:next[id]:next[id]] // capped: an append copies rather than overwrite the next key's
	}
	return out
}

// extsMap is exts, once built.
func (ix *pathIndex) extsMap() map[string]any {
	ix.more.Wait()
	return ix.exts
}

// dirNamesMap is dirNames, once built.
func (ix *pathIndex) dirNamesMap() map[string]any {
	ix.more.Wait()
	return ix.dirNames
}

// pathSetMap is input.path_set: every path, to true. Built on first use.
func (ix *pathIndex) pathSetMap() map[string]any {
	ix.setOnce.Do(func() {
		ix.pathSet = make(map[string]any, len(ix.entries))
		for _, e := range ix.entries {
			ix.pathSet[e.Path] = true
		}
	})
	return ix.pathSet
}

// dirsMap is input.dirs: every directory that holds a file at any depth, to
// true. Built on first use.
func (ix *pathIndex) dirsMap() map[string]any {
	ix.dirsOnce.Do(func() {
		ix.dirs = make(map[string]any, len(ix.entries)/4)
		prev := ""
		for _, e := range ix.entries {
			for dir := parentDir(e.Path); isNewDir(dir, prev, ""); dir = parentDir(dir) {
				ix.dirs[dir] = true
			}
			prev = e.Path
		}
	})
	return ix.dirs
}

// isNewDir reports whether dir, a directory of a sorted path walked up towards
// top, is below top and not a directory of the path before it (prev). The
// paths below a directory are one run of the sorted entries, so a directory is
// new exactly when the previous path is not below it; its parents are not new
// either once it is not.
func isNewDir(dir, prev, top string) bool {
	return dir != top && !below(prev, dir)
}

// under is the index of the files below the directory prefix ("dir/"): a
// component's. Its lists are runs of the repository's (every list is sorted,
// so the paths below a directory are one run of it), and it runs once per
// component of a monorepo, so it spends no lookup it can avoid.
func (ix *pathIndex) under(prefix string) dirIndex {
	ix.more.Wait()
	if prefix == "" {
		ix.pathSetMap()
		return ix.dirIndex
	}
	r := ix.run(prefix)
	start, end := r.start, r.end
	d := dirIndex{
		pathSet:  make(map[string]any, end-start),
		names:    make(map[string]any, end-start),
		exts:     map[string]any{},
		dirNames: make(map[string]any, (end-start)/4),
	}
	top := prefix[:len(prefix)-1]
	prev := ""
	for _, e := range ix.entries[start:end] {
		p := e.Path
		d.pathSet[p[len(prefix):]] = true
		base := p[strings.LastIndexByte(p, '/')+1:]
		addRun(d.names, ix.names, base, prefix)
		if x := ext(base); x != "" {
			addRun(d.exts, ix.exts, x, prefix)
		}
		for dir := parentDir(p); isNewDir(dir, prev, top); dir = parentDir(dir) {
			addRun(d.dirNames, ix.dirNames, dir[strings.LastIndexByte(dir, '/')+1:], prefix)
		}
		prev = p
	}
	return d
}

// addRun gives key, unless it has them already, the paths below prefix of the
// repository's list of key.
func addRun(m, repo map[string]any, key, prefix string) {
	if _, ok := m[key]; ok {
		return
	}
	ps := repo[key].([]string)
	i, _ := slices.BinarySearch(ps, prefix)
	j := i
	for j < len(ps) && strings.HasPrefix(ps[j], prefix) {
		j++
	}
	m[key] = ps[i:j:j] // capped: an append copies rather than overwrite the repository's list
}

// below reports whether the path p is below the directory dir.
func below(p, dir string) bool {
	return len(p) > len(dir) && p[len(dir)] == '/' && p[:len(dir)] == dir
}

// hasDir reports whether a directory (no trailing slash) holds a file: one
// binary search for the first path below it.
func (ix *pathIndex) hasDir(d string) bool {
	if d == "" {
		return false // the root is no directory of input.dirs
	}
	prefix := d + "/"
	i, _ := slices.BinarySearchFunc(ix.entries, prefix, func(e Entry, p string) int { return strings.Compare(e.Path, p) })
	return i < len(ix.entries) && strings.HasPrefix(ix.entries[i].Path, prefix)
}

// hasFile reports whether a path is a file of the snapshot.
func (ix *pathIndex) hasFile(p string) bool {
	_, ok := ix.entry(p)
	return ok
}

// entry finds a path by binary search.
func (ix *pathIndex) entry(p string) (Entry, bool) {
	i, found := slices.BinarySearchFunc(ix.entries, p, func(e Entry, p string) int { return strings.Compare(e.Path, p) })
	if !found {
		return Entry{}, false
	}
	return ix.entries[i], true
}

// ext is the lower-case extension of a base name with its dot, "" when there is
// none (Dockerfile) or the name is a dotfile without one (.gitignore).
func ext(base string) string {
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
	r := ix.run(prefix)
	for i := r.start; i < r.end; {
		p := ix.entries[i].Path
		j := strings.IndexByte(p[len(prefix):], '/')
		if j < 0 {
			out = append(out, p)
			i++
			continue
		}
		// A subdirectory's files are one run: skipped whole, not looked at
		// (a component's reads look in its top directory once per glob).
		i = ix.runEnd(i, p[:len(prefix)+j+1])
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

// run is the entries [start, end) below a directory.
type run struct{ start, end int }

// run finds the entries below a directory given with its trailing slash.
func (ix *pathIndex) run(prefix string) run {
	start, _ := slices.BinarySearchFunc(ix.entries, prefix, func(e Entry, p string) int { return strings.Compare(e.Path, p) })
	end := start + sort.Search(len(ix.entries)-start, func(i int) bool { return !strings.HasPrefix(ix.entries[start+i].Path, prefix) })
	return run{start, end}
}

// runEnd is the end of the run of paths with the prefix that starts at i,
// found by galloping: a run of one path costs a comparison or two, a long one
// a few more (a binary search over every entry would cost each the same).
func (ix *pathIndex) runEnd(i int, prefix string) int {
	has := func(j int) bool { return j < len(ix.entries) && strings.HasPrefix(ix.entries[j].Path, prefix) }
	last, step := i, 1 // entries[last] has the prefix
	for has(last + step) {
		last += step
		step *= 2
	}
	// The end is in (last, last+step].
	return last + 1 + sort.Search(step-1, func(k int) bool { return !has(last + 1 + k) })
}
