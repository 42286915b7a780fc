package policies

import (
	"bytes"
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
	ComponentType string
	Owner         string
}

// value builds the input as a lazy AST object: rules look up a few keys of a few
// indexes, and only what they touch is converted. Converting every path of a large
// tree eagerly costs more than evaluating all the rules.
func (d *inputDoc) value() (ast.Value, error) {
	n := len(d.index.entries)
	paths := make([]string, n)
	exts := map[string][]string{}
	dirs := make(map[string]any, n/8)
	lastDir := ""
	for i, e := range d.index.entries {
		paths[i] = e.Path
		if x := ext(e.Path); x != "" {
			exts[x] = append(exts[x], e.Path)
		}
		// Entries are sorted, so most paths share the previous one's directory.
		dir := parentDir(e.Path)
		if dir == lastDir {
			continue
		}
		lastDir = dir
		for ; dir != "" && dirs[dir] == nil; dir = parentDir(dir) {
			dirs[dir] = true
		}
	}
	extObj := make(map[string]any, len(exts))
	for x, ps := range exts {
		extObj[x] = ps
	}
	files := make(map[string]any, len(d.files))
	for p, f := range d.files {
		fo := map[string]any{"size": f.Size, "sha": f.SHA}
		if f.Skipped != "" {
			fo["skipped"] = f.Skipped
		} else {
			fo["content"] = f.Content
		}
		files[p] = fo
	}
	catalog, err := ast.InterfaceToValue(d.catalog)
	if err != nil {
		return nil, err
	}
	var codeowners ast.Value = ast.Null{}
	if d.codeowners != nil {
		if codeowners, err = ast.InterfaceToValue(d.codeowners); err != nil {
			return nil, err
		}
	}
	topics := make([]any, len(d.repo.Topics))
	for i, t := range d.repo.Topics {
		topics[i] = t
	}
	return ast.LazyObject(map[string]any{
		"schema":         InputSchema,
		"component_type": d.componentType,
		"repository": map[string]any{
			"owner":               d.repo.Owner,
			"name":                d.repo.Name,
			"full_name":           d.repo.FullName(),
			"default_branch":      d.repo.DefaultBranch,
			"description":         d.repo.Description,
			"topics":              topics,
			"archived":            d.repo.Archived,
			"fork":                d.repo.Fork,
			"template_repository": d.repo.TemplateRepository,
		},
		"override":   map[string]any{"component_type": d.override.ComponentType, "owner": d.override.Owner},
		"paths":      paths,
		"names":      d.index.names,
		"exts":       extObj,
		"dirs":       dirs,
		"files":      files,
		"catalog":    catalog,
		"codeowners": codeowners,
	}), nil
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
