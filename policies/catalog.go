package policies

import (
	"context"
	"fmt"
	"path"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Bounds on catalog discovery: Location entities are repository input, so a file
// listing 10,000 targets, or Locations pointing at each other, must cost little.
const (
	maxCatalogFiles   = 200 // catalog files read per evaluation
	maxLocationTarget = 500 // Location targets followed per evaluation
	maxCatalogNotes   = 20  // notes kept; the rest are counted in one last note
)

// CatalogEntity is one YAML document of a catalog file.
type CatalogEntity struct {
	Path     string         `json:"path"`
	Document int            `json:"document"`
	Line     int            `json:"line"`
	Entity   any            `json:"entity"`
	Lines    map[string]int `json:"lines"`
}

// FileError is a problem parsing a repository file, with its line.
type FileError struct {
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Catalog is the parsed catalog descriptors of a repository (input.catalog): the
// files catalog.discover matched, then the files their Location entities target.
type Catalog struct {
	Files    []string        `json:"files"`
	Entities []CatalogEntity `json:"entities"`
	Errors   []FileError     `json:"errors"`
	// Notes are targets and annotations that were ignored (outside the repository,
	// a cycle, missing, over a limit), each with the file and line that named them.
	Notes []FileError `json:"notes"`
}

// catalogReader discovers and parses catalog files the way Backstage does: the
// discovered files, then every Location's targets relative to the Location's file.
type catalogReader struct {
	snap     Snapshot
	ix       *pathIndex
	maxBytes int64
	cat      Catalog
	// via maps each file queued or read to the Location file that named it
	// first ("" for a discovered one), so that a cycle can be told from a file
	// that two ways lead to.
	via     map[string]string
	targets int // Location targets followed
	dropped int // notes past maxCatalogNotes
}

// discoverCatalog reads the files matching the discover globs and follows the
// Location entities in them, breadth first, within the bounds above.
func discoverCatalog(ctx context.Context, snap Snapshot, ix *pathIndex, globs []string, maxBytes int64) (Catalog, error) {
	r := &catalogReader{
		snap: snap, ix: ix, maxBytes: maxBytes, via: map[string]string{},
		cat: Catalog{Files: []string{}, Entities: []CatalogEntity{}, Errors: []FileError{}, Notes: []FileError{}},
	}
	// Backstage's own order first (root catalog-info.yaml before .yml), then the
	// other matches in path order.
	var queue []string
	for _, g := range globs {
		for _, p := range ix.match([]string{g}) {
			if _, ok := r.via[p]; !ok {
				r.via[p] = ""
				queue = append(queue, p)
			}
		}
	}
	for len(queue) > 0 {
		if len(r.cat.Files)+len(queue) > maxCatalogFiles {
			r.note(FileError{Path: queue[0], Message: fmt.Sprintf("more than %d catalog files; %d not read", maxCatalogFiles, len(r.cat.Files)+len(queue)-maxCatalogFiles)})
			queue = queue[:max(0, maxCatalogFiles-len(r.cat.Files))]
		}
		next, err := r.readRound(ctx, queue)
		if err != nil {
			return Catalog{}, err
		}
		queue = next
	}
	if r.dropped > 0 {
		r.cat.Notes = append(r.cat.Notes, FileError{Message: fmt.Sprintf("and %d more notes", r.dropped)})
	}
	return r.cat, nil
}

// readRound reads one batch of catalog files and returns the targets their
// Locations add.
func (r *catalogReader) readRound(ctx context.Context, batch []string) ([]string, error) {
	var toRead []string
	for _, p := range batch {
		if en, _ := r.ix.entry(p); en.Size > r.maxBytes {
			r.cat.Files = append(r.cat.Files, p)
			r.cat.Errors = append(r.cat.Errors, FileError{Path: p, Message: fmt.Sprintf("file not read: %s (%d bytes, over the %d-byte limit)", skippedTooLarge, en.Size, r.maxBytes)})
			continue
		}
		toRead = append(toRead, p)
	}
	if len(toRead) == 0 {
		return nil, nil
	}
	data, err := r.snap.Read(ctx, toRead)
	if err != nil {
		return nil, fmt.Errorf("read catalog files: %w", err)
	}
	// A monorepo's round holds a file per component: they are parsed side by
	// side, then taken in order.
	type parsed struct {
		skipped string
		docs    []yamlDoc
		err     *yamlError
	}
	results := make([]parsed, len(toRead))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range toRead {
		g.Go(func() error {
			b, ok := data[p]
			if !ok {
				results[i].skipped = skippedUnreadable
				return nil
			}
			text, skipped := textContent(b, r.maxBytes)
			if results[i].skipped = skipped; skipped == "" {
				results[i].docs, results[i].err = parseYAMLDocuments([]byte(text))
			}
			return nil
		})
	}
	_ = g.Wait() // the parses return no error: a file's problem is its result
	var next []string
	for k, p := range toRead {
		r.cat.Files = append(r.cat.Files, p)
		res := results[k]
		if res.skipped != "" {
			r.cat.Errors = append(r.cat.Errors, FileError{Path: p, Message: "file not read: " + res.skipped})
			continue
		}
		if yerr := res.err; yerr != nil {
			r.cat.Errors = append(r.cat.Errors, FileError{Path: p, Line: yerr.Line, Message: yerr.Message})
			continue
		}
		for i, d := range res.docs {
			// Backstage ignores a null document (a stray "---"); a file left with
			// no entity at all is reported by catalog.valid.
			if d.Value == nil {
				continue
			}
			ent := CatalogEntity{Path: p, Document: i, Line: d.Line, Entity: d.Value, Lines: d.Lines}
			r.cat.Entities = append(r.cat.Entities, ent)
			next = append(next, r.locationTargets(ent)...)
		}
	}
	return next, nil
}

// locationTargets resolves a Location entity's targets to repository paths not
// read yet; everything it cannot follow becomes a note.
func (r *catalogReader) locationTargets(ent CatalogEntity) []string {
	m, _ := ent.Entity.(map[string]any)
	if m == nil || m["kind"] != "Location" {
		return nil
	}
	spec, _ := m["spec"].(map[string]any)
	optional := spec["presence"] == "optional"
	type target struct {
		value string
		line  int
	}
	var targets []target
	if t, ok := spec["target"].(string); ok {
		targets = append(targets, target{t, lineOf(ent, "spec.target")})
	}
	list, _ := spec["targets"].([]any)
	for i, v := range list {
		t, _ := v.(string)
		targets = append(targets, target{t, lineOf(ent, fmt.Sprintf("spec.targets.%d", i))})
	}
	var out []string
	for _, t := range targets {
		at := func(format string, args ...any) {
			r.note(FileError{Path: ent.Path, Line: t.line, Message: fmt.Sprintf("Location target %q ", t.value) + fmt.Sprintf(format, args...)})
		}
		if r.targets >= maxLocationTarget {
			at("not followed: more than %d Location targets", maxLocationTarget)
			continue
		}
		r.targets++
		p, why := resolveTarget(ent.Path, t.value)
		if why != "" {
			at("ignored: %s", why)
			continue
		}
		matches := []string{p}
		if strings.ContainsAny(p, `*?[{`) {
			matches = r.ix.match([]string{p})
		} else if _, ok := r.ix.entry(p); !ok {
			if !optional {
				at("does not exist in the repository (presence: required)")
			}
			continue
		}
		for _, q := range matches {
			_, read := r.via[q]
			switch {
			case q == ent.Path:
				at("ignored: the Location targets its own file")
			case r.leadsTo(q, ent.Path):
				at("ignored: %s is already read (a cycle of Locations)", q)
			case !read:
				r.via[q] = ent.Path
				out = append(out, q)
			}
			// Otherwise discovery or another Location read it already: once is enough.
		}
	}
	return out
}

// leadsTo says whether the chain of Locations that led to file starts at or
// passes through from.
func (r *catalogReader) leadsTo(from, file string) bool {
	for cur := file; cur != ""; cur = r.via[cur] {
		if cur == from {
			return true
		}
	}
	return false
}

// resolveTarget turns a Location target into a clean repository path, relative
// to the directory of the file that holds the Location (as Backstage resolves
// it), or says why it cannot be followed.
func resolveTarget(from, target string) (string, string) {
	t := strings.TrimSpace(target)
	switch {
	case t == "":
		return "", "empty target"
	case strings.Contains(t, "://") || strings.HasPrefix(t, "url:"):
		return "", "a URL; only targets inside this repository are followed"
	case path.IsAbs(t) || strings.HasPrefix(t, `\`) || (len(t) > 1 && t[1] == ':'):
		return "", "an absolute path; targets are relative to the Location's file"
	}
	p := path.Clean(path.Join(path.Dir(from), t))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", "outside the repository"
	}
	return p, ""
}

func (r *catalogReader) note(n FileError) {
	if len(r.cat.Notes) >= maxCatalogNotes {
		r.dropped++
		return
	}
	r.cat.Notes = append(r.cat.Notes, n)
}

// lineOf is the line of a dotted field of an entity, falling back to its
// nearest recorded parent and then to the document's first line.
func lineOf(ent CatalogEntity, field string) int {
	for f := field; f != ""; {
		if n, ok := ent.Lines[f]; ok {
			return n
		}
		i := strings.LastIndexByte(f, '.')
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return ent.Line
}
