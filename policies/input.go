package policies

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// InputSchema is the version of the input document rules read (see policies/README.md).
const InputSchema = 1

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

// inputDoc is everything the input document is built from.
type inputDoc struct {
	repo          Repository
	componentType string
	override      overrideFacts
	index         *pathIndex
	files         map[string]fileContent
	catalog       Catalog
	codeowners    *Codeowners
}

type overrideFacts struct {
	ComponentType string `json:"component_type"`
	Owner         string `json:"owner"`
}

// value builds the input as an AST value directly. Going through JSON or
// ast.InterfaceToValue costs several milliseconds on large trees; here each path
// string becomes one term shared by paths, names and exts.
func (d *inputDoc) value() (ast.Value, error) {
	n := len(d.index.entries)
	paths := make([]*ast.Term, n)
	exts := map[string][]*ast.Term{}
	dirs := ast.NewObject()
	seenDir := map[string]bool{}
	for i, e := range d.index.entries {
		t := ast.StringTerm(e.Path)
		paths[i] = t
		if x := ext(e.Path); x != "" {
			exts[x] = append(exts[x], t)
		}
		for dir := path.Dir(e.Path); dir != "." && !seenDir[dir]; dir = path.Dir(dir) {
			seenDir[dir] = true
			dirs.Insert(ast.StringTerm(dir), ast.BooleanTerm(true))
		}
	}
	names := ast.NewObject()
	for _, base := range d.index.baseNames {
		ps := d.index.names[base]
		terms := make([]*ast.Term, len(ps))
		for i, p := range ps {
			terms[i] = paths[d.index.byPath[p]]
		}
		names.Insert(ast.StringTerm(base), ast.ArrayTerm(terms...))
	}
	extObj := ast.NewObject()
	for x, terms := range exts {
		extObj.Insert(ast.StringTerm(x), ast.ArrayTerm(terms...))
	}
	files := ast.NewObject()
	for p, f := range d.files {
		fo := ast.NewObject(
			ast.Item(ast.StringTerm("size"), ast.IntNumberTerm(int(f.Size))),
			ast.Item(ast.StringTerm("sha"), ast.StringTerm(f.SHA)),
		)
		if f.Skipped != "" {
			fo.Insert(ast.StringTerm("skipped"), ast.StringTerm(f.Skipped))
		} else {
			fo.Insert(ast.StringTerm("content"), ast.StringTerm(f.Content))
		}
		files.Insert(ast.StringTerm(p), ast.NewTerm(fo))
	}
	var codeowners any // a typed nil pointer would not convert
	if d.codeowners != nil {
		codeowners = d.codeowners
	}
	rest, err := ast.InterfaceToValue(map[string]any{
		"repository": map[string]any{
			"owner":               d.repo.Owner,
			"name":                d.repo.Name,
			"full_name":           d.repo.FullName(),
			"default_branch":      d.repo.DefaultBranch,
			"description":         d.repo.Description,
			"topics":              stringsOrEmpty(d.repo.Topics),
			"archived":            d.repo.Archived,
			"fork":                d.repo.Fork,
			"template_repository": d.repo.TemplateRepository,
		},
		"override":   d.override,
		"catalog":    d.catalog,
		"codeowners": codeowners,
	})
	if err != nil {
		return nil, err
	}
	obj := rest.(ast.Object)
	obj.Insert(ast.StringTerm("schema"), ast.IntNumberTerm(InputSchema))
	obj.Insert(ast.StringTerm("component_type"), ast.StringTerm(d.componentType))
	obj.Insert(ast.StringTerm("paths"), ast.ArrayTerm(paths...))
	obj.Insert(ast.StringTerm("names"), ast.NewTerm(names))
	obj.Insert(ast.StringTerm("exts"), ast.NewTerm(extObj))
	obj.Insert(ast.StringTerm("dirs"), ast.NewTerm(dirs))
	obj.Insert(ast.StringTerm("files"), ast.NewTerm(files))
	return obj, nil
}

func stringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
