package policies

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// InputSchema is the version of the input document rules read (see policies/README.md).
const InputSchema = 2

// Reasons a file matched by reads has no content.
const (
	skippedTooLarge   = "too_large"
	skippedBinary     = "binary"
	skippedLimit      = "limit"
	skippedUnreadable = "unreadable"
)

type fileContent struct {
	Size    int64
	SHA     string
	Content string
	Skipped string
}

// inputDoc is everything the input documents of one evaluation are built from.
type inputDoc struct {
	repo       Repository
	override   overrideFacts
	index      *pathIndex
	files      map[string]fileContent
	catalog    Catalog
	codeowners *Codeowners
	components []*Component
	root       *Component // the component whose type is input.component_type
	blocks     []string   // the org's building_blocks, input.org.building_blocks
	testFiles  []string   // input.test_files
	needs      inputNeeds

	shared      map[string]any // built once by value, shared by every document
	listing     *listing       // what goldenpath.existing answers input.path_set and dirs from
	fileNames   []string       // the keys of files, sorted
	entityTerms []*ast.Term    // input.catalog.entities, converted once
}

type overrideFacts struct {
	ComponentType string
	Owner         string
}

// value builds the input for a component rule judging c, or for a repository
// rule when c is nil. Each is a lazy AST object over values built once: rules
// look up a few keys of a few indexes, and only what they touch is converted.
// Converting every path of a large tree eagerly costs more than evaluating all
// the rules, and a monorepo evaluates its component rules once per component.
func (d *inputDoc) value(c *Component) (ast.Value, error) {
	if d.shared == nil {
		if err := d.buildShared(); err != nil {
			return nil, err
		}
	}
	m := make(map[string]any, len(d.shared)+2)
	for k, v := range d.shared {
		m[k] = v
	}
	m["component_type"] = d.root.Type
	m["component"] = nil
	if c != nil {
		m["component_type"] = c.Type
		m["component"] = d.componentValue(c)
	}
	return ast.LazyObject(m), nil
}

// worker is a copy of the document for one goroutine: the Go values are read
// only and shared, the AST values are its own, since lazy objects cache what
// they convert without locking.
func (d *inputDoc) worker() *inputDoc {
	w := *d
	w.shared, w.entityTerms, w.listing = nil, nil, nil
	return &w
}

func (d *inputDoc) buildShared() error {
	files := make(map[string]any, len(d.files))
	d.fileNames = sortedKeys(d.files)
	for p, f := range d.files {
		fo := map[string]any{"size": f.Size, "sha": f.SHA}
		if f.Skipped != "" {
			fo["skipped"] = f.Skipped
		} else {
			fo["content"] = f.Content
		}
		files[p] = fo
	}
	catalog, entities, err := catalogValue(d.catalog)
	if err != nil {
		return err
	}
	d.entityTerms = entities
	blocks := make([]any, len(d.blocks))
	for i, b := range d.blocks {
		blocks[i] = b
	}
	var codeowners ast.Value = ast.Null{}
	if d.codeowners != nil {
		codeowners = codeownersValue(d.codeowners)
	}
	topics := make([]any, len(d.repo.Topics))
	for i, t := range d.repo.Topics {
		topics[i] = t
	}
	comps := make([]any, len(d.components))
	for i, c := range d.components {
		comps[i] = map[string]any{
			"name": c.Name, "ref": c.Ref, "path": c.Path, "type": c.Type,
			"type_source": c.TypeSource, "owner": c.Owner,
		}
	}
	pathSet, dirs := map[string]any{}, map[string]any{}
	if d.needs.pathSet {
		pathSet = d.index.pathSetMap()
	}
	if d.needs.dirs {
		dirs = d.index.dirsMap()
	}
	d.listing = &listing{ix: d.index, pathSet: ast.LazyObject(pathSet), dirs: ast.LazyObject(dirs)}
	shared := map[string]any{
		"schema": InputSchema,
		"repository": ast.MustInterfaceToValue(map[string]any{
			"owner":               d.repo.Owner,
			"name":                d.repo.Name,
			"full_name":           d.repo.FullName(),
			"default_branch":      d.repo.DefaultBranch,
			"description":         d.repo.Description,
			"topics":              topics,
			"archived":            d.repo.Archived,
			"fork":                d.repo.Fork,
			"template_repository": d.repo.TemplateRepository,
		}),
		"override":   ast.MustInterfaceToValue(map[string]any{"component_type": d.override.ComponentType, "owner": d.override.Owner}),
		"components": ast.MustInterfaceToValue(comps),
		"paths":      d.index.paths,
		// The indexes are shared lazy objects, so what one document converts the
		// next finds converted.
		"path_set":   d.listing.pathSet,
		"names":      ast.LazyObject(d.index.names),
		"exts":       ast.LazyObject(d.index.extsMap()),
		"dirs":       d.listing.dirs,
		"dir_names":  ast.LazyObject(d.index.dirNamesMap()),
		"files":      ast.LazyObject(files),
		"catalog":    catalog,
		"codeowners": codeowners,
		"org":        ast.MustInterfaceToValue(map[string]any{"building_blocks": blocks}),
	}
	if d.testFiles != nil {
		shared["test_files"] = d.testFiles
	}
	d.shared = shared
	return nil
}

// componentValue is input.component: the component, the catalog entity and
// files that describe it, the paths of input.files in its directory and the
// indexes of the files below it. Its entities are the shared catalog's own
// terms, so a component costs no conversion of the catalog; they are listed
// here so that rules do not filter every entity of a monorepo once per
// component. It is a lazy object, like the input: an eager one would hash,
// and so convert, every index it holds.
func (d *inputDoc) componentValue(c *Component) ast.Value {
	str := ast.StringTerm
	var entity ast.Value = ast.Null{}
	var entities, files []*ast.Term
	for i := range d.catalog.Entities {
		ent := &d.catalog.Entities[i]
		if !slices.Contains(c.sourceFiles, ent.Path) {
			continue
		}
		if ent == c.entity {
			entity = d.entityTerms[i].Value
		} else if m, _ := ent.Entity.(map[string]any); m != nil && m["kind"] == "Component" {
			continue // judged as its own component
		}
		entities = append(entities, d.entityTerms[i])
	}
	for _, f := range c.sourceFiles {
		files = append(files, str(f))
	}
	shared := make([]*ast.Term, len(c.shared))
	for i, p := range c.shared {
		shared[i] = str(p)
	}
	var read []*ast.Term
	start, _ := slices.BinarySearch(d.fileNames, c.prefix())
	for _, p := range d.fileNames[start:] {
		if !strings.HasPrefix(p, c.prefix()) {
			break
		}
		read = append(read, str(p))
	}
	var codeowners ast.Value = ast.Null{}
	if r, ok := d.codeowners.RuleOf(c.Path); ok {
		owners := make([]*ast.Term, len(r.Owners))
		for i, o := range r.Owners {
			owners[i] = str(o)
		}
		codeowners = ast.NewObject(
			[2]*ast.Term{str("pattern"), str(r.Pattern)},
			[2]*ast.Term{str("owners"), ast.ArrayTerm(owners...)},
			[2]*ast.Term{str("line"), ast.IntNumberTerm(r.Line)},
		)
	}
	m := map[string]any{
		"name":          c.Name,
		"ref":           c.Ref,
		"path":          c.Path,
		"type":          c.Type,
		"type_source":   c.TypeSource,
		"type_reason":   c.TypeReason,
		"owner":         c.Owner,
		"codeowners":    codeowners,
		"entity":        entity,
		"entities":      ast.NewArray(entities...),
		"catalog_files": ast.NewArray(files...),
		"shared_paths":  ast.NewArray(shared...),
		"files":         ast.NewArray(read...),
	}
	// The root's indexes are the repository's, already in the input. Another
	// component's are built only for a custom rule that reads them.
	switch {
	case c.Path == RootPath:
		for _, k := range componentIndexKeys {
			m[k] = d.shared[k]
		}
	case d.needs.componentIndexes:
		ix := d.index.under(c.prefix())
		m["path_set"], m["names"], m["exts"], m["dir_names"] = ix.pathSet, ix.names, ix.exts, ix.dirNames
	default:
		// Without indexes it is small: converted at once, a lookup of one of
		// its fields costs no conversion and no allocation.
		return ast.MustInterfaceToValue(m)
	}
	return ast.LazyObject(m)
}

// parentDir is path.Dir without cleaning (paths are clean), and "" for the root.
func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// textContent decides whether read bytes can be handed to rules as text.
func textContent(data []byte, maxBytes int64) (string, string) {
	if int64(len(data)) > maxBytes {
		return "", skippedTooLarge
	}
	head := data
	if len(head) > 8<<10 {
		head = head[:8<<10]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "", skippedBinary
	}
	s := string(data)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s, ""
}

// inputNeeds is what the input holds only for a custom rule that may read it.
type inputNeeds struct {
	pathSet          bool // input.path_set filled in
	dirs             bool // input.dirs filled in
	componentIndexes bool // input.component's path_set, names, exts, dir_names
}

func (n *inputNeeds) add(m *ast.Module) {
	n.componentIndexes = n.componentIndexes || readsAny(m, componentIndexDocs)
	// The root component's path_set is the repository's.
	n.pathSet = n.pathSet || n.componentIndexes || readsAny(m, pathSetDocs)
	n.dirs = n.dirs || readsAny(m, dirsDocs)
}

// catalogValue is input.catalog, and its entities' terms. It is built field by
// field, as encoding/json would write the structs: ast.InterfaceToValue would
// round-trip them through JSON, once per worker of every evaluation.
func catalogValue(cat Catalog) (ast.Value, []*ast.Term, error) {
	str := ast.StringTerm
	var entities []*ast.Term
	if cat.Entities != nil {
		entities = make([]*ast.Term, len(cat.Entities))
	}
	for i, e := range cat.Entities {
		entity, err := jsonValue(e.Entity)
		if err != nil {
			return nil, nil, err
		}
		var lines ast.Value = ast.Null{}
		if e.Lines != nil {
			kv := make([][2]*ast.Term, 0, len(e.Lines))
			for k, n := range e.Lines {
				kv = append(kv, [2]*ast.Term{str(k), ast.IntNumberTerm(n)})
			}
			lines = ast.NewObject(kv...)
		}
		entities[i] = ast.ObjectTerm(
			[2]*ast.Term{str("path"), str(e.Path)},
			[2]*ast.Term{str("document"), ast.IntNumberTerm(e.Document)},
			[2]*ast.Term{str("line"), ast.IntNumberTerm(e.Line)},
			[2]*ast.Term{str("entity"), ast.NewTerm(entity)},
			[2]*ast.Term{str("lines"), ast.NewTerm(lines)},
		)
	}
	return ast.NewObject(
		[2]*ast.Term{str("files"), ast.NewTerm(stringsValue(cat.Files))},
		[2]*ast.Term{str("entities"), ast.NewTerm(arrayOrNull(entities, cat.Entities == nil))},
		[2]*ast.Term{str("errors"), ast.NewTerm(fileErrorsValue(cat.Errors))},
		[2]*ast.Term{str("notes"), ast.NewTerm(fileErrorsValue(cat.Notes))},
	), entities, nil
}

// codeownersValue is input.codeowners.
func codeownersValue(c *Codeowners) ast.Value {
	str := ast.StringTerm
	var rules []*ast.Term
	for _, r := range c.Rules {
		rules = append(rules, ast.ObjectTerm(
			[2]*ast.Term{str("pattern"), str(r.Pattern)},
			[2]*ast.Term{str("owners"), ast.NewTerm(stringsValue(r.Owners))},
			[2]*ast.Term{str("line"), ast.IntNumberTerm(r.Line)},
		))
	}
	return ast.NewObject(
		[2]*ast.Term{str("path"), str(c.Path)},
		[2]*ast.Term{str("rules"), ast.NewTerm(arrayOrNull(rules, c.Rules == nil))},
		[2]*ast.Term{str("errors"), ast.NewTerm(fileErrorsValue(c.Errors))},
	)
}

func fileErrorsValue(errs []FileError) ast.Value {
	str := ast.StringTerm
	out := make([]*ast.Term, len(errs))
	for i, e := range errs {
		kv := [][2]*ast.Term{{str("line"), ast.IntNumberTerm(e.Line)}, {str("message"), str(e.Message)}}
		if e.Path != "" { // omitempty
			kv = append(kv, [2]*ast.Term{str("path"), str(e.Path)})
		}
		out[i] = ast.ObjectTerm(kv...)
	}
	return arrayOrNull(out, errs == nil)
}

func stringsValue(s []string) ast.Value {
	out := make([]*ast.Term, len(s))
	for i, x := range s {
		out[i] = ast.StringTerm(x)
	}
	return arrayOrNull(out, s == nil)
}

// arrayOrNull is what encoding/json writes for a slice: null when nil.
func arrayOrNull(elems []*ast.Term, isNil bool) ast.Value {
	if isNil {
		return ast.Null{}
	}
	return ast.NewArray(elems...)
}

// jsonValue converts a parsed YAML value (nil, bool, int64, float64, string,
// []any, map[string]any) as a JSON round trip would: a float is written the
// way encoding/json writes it.
func jsonValue(v any) (ast.Value, error) {
	switch x := v.(type) {
	case float64:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		return ast.Number(b), nil
	case []any:
		out := make([]*ast.Term, len(x))
		for i, e := range x {
			ev, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = ast.NewTerm(ev)
		}
		return ast.NewArray(out...), nil
	case map[string]any:
		kv := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			ev, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			kv = append(kv, [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(ev)})
		}
		return ast.NewObject(kv...), nil
	}
	return ast.InterfaceToValue(v)
}
