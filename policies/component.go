package policies

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Where a component's type came from, in order of precedence.
const (
	TypeFromCatalog  = "catalog"  // spec.type of its Component entity
	TypeFromOverride = "override" // component_type in the repository's .github/golden-path.yaml
	TypeFromInferred = "inferred" // the files in its directory
	TypeFromDefault  = "default"  // nothing said otherwise: a service
)

// DefaultComponentType is the type of a component nothing tells apart.
const DefaultComponentType = "service"

// RootPath is a component's path when it is the repository's root directory.
const RootPath = "."

// Component is one unit the rules judge: a catalog Component entity, or the whole
// repository when the catalog declares none. Its JSON form is an element of
// `components` in `goldenpath check --format json`.
type Component struct {
	Name string `json:"name"`
	// Ref is component:namespace/name, empty for a component inferred from the
	// repository.
	Ref string `json:"ref"`
	// Path is the component's directory, RootPath for the repository root.
	Path       string `json:"path"`
	Type       string `json:"type"`
	TypeSource string `json:"type_source"`
	// TypeReason says what the type was inferred from, or why it is the default.
	TypeReason string   `json:"type_reason,omitempty"`
	Owner      string   `json:"owner"`
	Summary    Summary  `json:"summary"`
	Results    []Result `json:"results"`

	entity      *CatalogEntity // nil when inferred
	sourceFiles []string       // catalog files whose entities describe it
	// shared are files outside every component's directory whose path names
	// this component (deploy/payments/, runbooks/payments.md): input.component.shared_paths.
	shared []string
}

// prefix is the component's directory with a trailing slash, "" at the root.
func (c *Component) prefix() string {
	if c.Path == RootPath {
		return ""
	}
	return c.Path + "/"
}

// findComponents turns the catalog's Component entities into components. A
// repository without one is a single component at its root, named after it.
// Notes say which annotations were ignored, and which components share a
// directory.
func findComponents(cat Catalog, ix *pathIndex, repo Repository) ([]*Component, []FileError) {
	var out []*Component
	var notes []FileError
	byRef := map[string]bool{}
	byDir := map[string]string{}
	for i := range cat.Entities {
		ent := &cat.Entities[i]
		m, _ := ent.Entity.(map[string]any)
		if m == nil || m["kind"] != "Component" {
			continue
		}
		meta, _ := m["metadata"].(map[string]any)
		spec, _ := m["spec"].(map[string]any)
		name, _ := meta["name"].(string)
		if name == "" {
			name = "(unnamed)"
		}
		ns, _ := meta["namespace"].(string)
		if ns == "" {
			ns = "default"
		}
		c := &Component{Name: name, Ref: "component:" + ns + "/" + name, entity: ent, sourceFiles: []string{ent.Path}}
		if byRef[c.Ref] {
			// Backstage keeps one entity per ref; catalog.valid reports the repeat.
			continue
		}
		byRef[c.Ref] = true
		c.Path = descriptorDir(ent.Path)
		annotations, _ := meta["annotations"].(map[string]any)
		if loc, ok := annotations[sourceLocation].(string); ok {
			dir, why := sourceLocationDir(loc, ent.Path, repo, ix)
			if why != "" {
				notes = append(notes, FileError{Path: ent.Path, Line: lineOf(*ent, "metadata.annotations."+sourceLocation),
					Message: fmt.Sprintf("%s %q of %s ignored: %s; the component's directory is %s", sourceLocation, loc, c.Ref, why, c.Path)})
			} else {
				c.Path = dir
			}
		}
		if other, ok := byDir[c.Path]; ok {
			notes = append(notes, FileError{Path: ent.Path, Line: ent.Line,
				Message: fmt.Sprintf("%s and %s share the directory %s: the files there count for both", other, c.Ref, c.Path)})
		} else {
			byDir[c.Path] = c.Ref
		}
		if t, ok := spec["type"].(string); ok && strings.TrimSpace(t) != "" {
			c.Type, c.TypeSource = t, TypeFromCatalog
		}
		c.Owner, _ = spec["owner"].(string)
		out = append(out, c)
	}
	if len(out) == 0 {
		// The whole catalog describes the repository: catalog rules still judge an
		// API or System entity at the root, as before components existed.
		out = append(out, &Component{Name: repo.Name, Path: RootPath, sourceFiles: cat.Files})
	}
	return out, notes
}

const sourceLocation = "backstage.io/source-location"

// descriptorDir is the directory a catalog file describes: its own, except that
// a file in .backstage/ describes the directory holding .backstage/.
func descriptorDir(file string) string {
	dir := path.Dir(file)
	if path.Base(dir) == ".backstage" {
		dir = path.Dir(dir)
	}
	return dir
}

// sourceLocationDir reads a backstage.io/source-location annotation: a url: into
// this repository's tree or blob view, or a dir: relative to the descriptor. It
// returns the directory, or why the annotation cannot be used.
func sourceLocationDir(loc, descriptor string, repo Repository, ix *pathIndex) (string, string) {
	loc = strings.TrimSpace(loc)
	var dir string
	switch {
	case strings.HasPrefix(loc, "dir:"):
		dir = path.Clean(path.Join(path.Dir(descriptor), strings.TrimPrefix(loc, "dir:")))
		if dir == ".." || strings.HasPrefix(dir, "../") || path.IsAbs(strings.TrimPrefix(loc, "dir:")) {
			return "", "it points outside the repository"
		}
	case strings.HasPrefix(loc, "url:"):
		u, err := url.Parse(strings.TrimPrefix(loc, "url:"))
		if err != nil || u.Host == "" {
			return "", "not a URL"
		}
		// /owner/name/tree/<ref>/<path> or /owner/name/blob/<ref>/<path>
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) < 2 || !strings.EqualFold(parts[0]+"/"+parts[1], repo.FullName()) {
			return "", "it points outside this repository"
		}
		rest := parts[2:]
		if len(rest) < 2 {
			return RootPath, ""
		}
		if rest[0] != "tree" && rest[0] != "blob" {
			return "", "not a tree or blob URL"
		}
		after := strings.Join(rest[1:], "/")
		switch {
		case repo.DefaultBranch != "" && (after == repo.DefaultBranch || strings.HasPrefix(after, repo.DefaultBranch+"/")):
			after = strings.TrimPrefix(strings.TrimPrefix(after, repo.DefaultBranch), "/")
		default:
			// Without the branch name a ref is taken to be one segment.
			after = strings.Join(rest[2:], "/")
		}
		dir = path.Clean("/" + after)[1:]
		if dir == "" {
			dir = RootPath
		}
	default:
		return "", "expected url:<address> or dir:<path>"
	}
	if dir != RootPath && dir != "." && !ix.hasDir(dir) {
		return "", fmt.Sprintf("%s/ holds no file", dir)
	}
	if dir == "." {
		dir = RootPath
	}
	return dir, ""
}

// maxSharedPaths bounds input.component.shared_paths: a name that is also a
// common word ("api") must not hand every file of a tree to each component.
const maxSharedPaths = 200

// findSharedPaths gives each component below the root the files that sit
// outside every component's directory and whose path names it: a monorepo
// often keeps one shared tree of manifests, runbooks, dashboards or SLOs with
// one file or directory per component (deploy/payments/, k8s/payments.yaml,
// slos/payments-slo.yaml). A directory or file name names a component when it
// is the component's name, or starts with it followed by "-", "_" or "."
// (case-insensitive). One pass over the paths, whatever the number of
// components.
func findSharedPaths(ix *pathIndex, comps []*Component) {
	byName := map[string][]*Component{}
	var inside []run // the entries below some component's directory
	for _, c := range comps {
		if c.Path == RootPath {
			continue
		}
		inside = append(inside, ix.run(c.prefix()))
		byName[strings.ToLower(c.Name)] = append(byName[strings.ToLower(c.Name)], c)
	}
	if len(byName) == 0 {
		return
	}
	slices.SortFunc(inside, func(a, b run) int { return a.start - b.start })
	next := 0 // the first run not yet passed
	for i := 0; i < len(ix.entries); i++ {
		// The paths below a directory are one run of the sorted entries:
		// a monorepo's components' files are skipped, not looked at.
		for next < len(inside) && inside[next].end <= i {
			next++
		}
		if next < len(inside) && inside[next].start <= i {
			i = inside[next].end - 1
			continue
		}
		e := ix.entries[i]
		var named []*Component
		for _, seg := range strings.Split(strings.ToLower(e.Path), "/") {
			for i := 0; i <= len(seg); i++ {
				if i < len(seg) && seg[i] != '-' && seg[i] != '_' && seg[i] != '.' {
					continue
				}
				for _, c := range byName[seg[:i]] {
					if !slices.Contains(named, c) {
						named = append(named, c)
					}
				}
			}
		}
		for _, c := range named {
			if len(c.shared) < maxSharedPaths {
				c.shared = append(c.shared, e.Path)
			}
		}
	}
}
