package policies

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds for YAML read from repositories: the parser does not expand aliases, but
// turning a document into a value does, so a "billion laughs" file must stop at a
// node budget instead of eating memory.
const (
	maxYAMLDocuments = 100
	maxYAMLDepth     = 64
	maxYAMLNodes     = 100_000
	lineKeyDepth     = 3
)

// yamlDoc is one YAML document turned into plain values, with the line of every key
// up to lineKeyDepth levels deep ("metadata.name" → 4).
type yamlDoc struct {
	Line  int
	Value any
	Lines map[string]int
}

// yamlError is a problem in a YAML file, with the 1-based line it is on (0 if unknown).
type yamlError struct {
	Line    int
	Message string
}

func (e *yamlError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAMLDocuments parses every document of a multi-document YAML file. The first
// problem stops parsing: later documents of a broken file cannot be trusted.
func parseYAMLDocuments(data []byte) ([]yamlDoc, *yamlError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []yamlDoc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, toYAMLError(err)
		}
		if len(docs) == maxYAMLDocuments {
			return nil, &yamlError{Line: n.Line, Message: fmt.Sprintf("more than %d documents", maxYAMLDocuments)}
		}
		root := &n
		if root.Kind == yaml.DocumentNode {
			if len(root.Content) == 0 {
				continue
			}
			root = root.Content[0]
		}
		c := converter{lines: map[string]int{}}
		v, err := c.value(root, 0, "")
		if err != nil {
			var ye *yamlError
			if errors.As(err, &ye) {
				return nil, ye
			}
			return nil, &yamlError{Line: root.Line, Message: err.Error()}
		}
		docs = append(docs, yamlDoc{Line: root.Line, Value: v, Lines: c.lines})
	}
}

func toYAMLError(err error) *yamlError {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &yamlError{Line: line, Message: strings.TrimPrefix(msg, m[0])}
	}
	return &yamlError{Message: strings.TrimPrefix(msg, "yaml: ")}
}

type converter struct {
	nodes int
	lines map[string]int
}

func (c *converter) value(n *yaml.Node, depth int, path string) (any, error) {
	c.nodes++
	if c.nodes > maxYAMLNodes {
		return nil, &yamlError{Line: n.Line, Message: fmt.Sprintf("document expands to more than %d nodes (too many aliases?)", maxYAMLNodes)}
	}
	if depth > maxYAMLDepth {
		return nil, &yamlError{Line: n.Line, Message: fmt.Sprintf("nesting deeper than %d levels", maxYAMLDepth)}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return c.value(n.Alias, depth+1, path)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		// Backstage's YAML parser rejects a mapping that repeats a key, where
		// go-yaml's node decoding would silently keep the last value.
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				if err := c.merge(m, v, depth, path); err != nil {
					return nil, err
				}
				continue
			}
			key := k.Value
			child := dottedKey(path, key)
			if first, dup := seen[key]; dup {
				return nil, &yamlError{Line: k.Line, Message: fmt.Sprintf("duplicate key %s (first on line %d): map keys must be unique", strconv.Quote(child), first)}
			}
			seen[key] = k.Line
			if depth < lineKeyDepth {
				c.lines[child] = k.Line
			}
			val, err := c.value(v, depth+1, child)
			if err != nil {
				return nil, err
			}
			m[key] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e, depth+1, path)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, &yamlError{Line: n.Line, Message: "unsupported YAML node"}
}

func dottedKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// merge applies a "<<" merge key: keys already set win, as YAML 1.1 says.
func (c *converter) merge(m map[string]any, v *yaml.Node, depth int, path string) error {
	val, err := c.value(v, depth+1, path)
	if err != nil {
		return err
	}
	sources, ok := val.([]any)
	if !ok {
		sources = []any{val}
	}
	for _, s := range sources {
		sm, ok := s.(map[string]any)
		if !ok {
			return &yamlError{Line: v.Line, Message: "merge key must reference a mapping"}
		}
		for k, x := range sm {
			if _, set := m[k]; !set {
				m[k] = x
			}
		}
	}
	return nil
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !isInfOrNaN(f) {
			return f
		}
	}
	return n.Value
}

func isInfOrNaN(f float64) bool { return f != f || f > 1e308 || f < -1e308 }
