package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// MaxFileSize bounds every configuration file this package parses. Org and
// repository files can be edited by anyone with push access, so the bound
// keeps a hostile file from costing more than a legitimate one could.
const MaxFileSize = 256 << 10

// maxNodes bounds a document after alias expansion. Without aliases a file
// within MaxFileSize cannot hold more than one node per byte, so anything
// beyond that is amplification: a "billion laughs" bomb.
const maxNodes = MaxFileSize

// DecodeFile decodes the YAML file at path as strictly as the org files (one
// document, no unknown keys, no alias bombs, at most MaxFileSize bytes) into
// out, which should already hold the defaults. Errors in the file are *Error
// values naming the file and line; an unreadable file is the os error.
func DecodeFile(path string, out any) error {
	data, err := readLimited(path)
	if err != nil {
		return err
	}
	_, err = decodeStrict(path, data, out)
	return err
}

// readLimited reads at most one byte more than MaxFileSize, enough for
// decodeStrict to reject an oversized file without reading all of it.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

// decodeStrict decodes one YAML document from data into out, which should
// already hold the defaults. It returns the document's node tree so callers
// can point later validation errors at a line; the tree is nil for an empty
// file, which leaves out untouched.
//
// yaml.v3 only enforces known keys when decoding through a Decoder, so the
// data is parsed twice: once into nodes (positions, alias check) and once
// into out with KnownFields.
func decodeStrict(file string, data []byte, out any) (doc *yaml.Node, err error) {
	if len(data) > MaxFileSize {
		return nil, &Error{File: file, Message: fmt.Sprintf("file is %d bytes, more than the %d KiB allowed", len(data), MaxFileSize>>10)}
	}
	defer func() {
		// The input is untrusted: should the parser ever panic on it, that
		// must become a configuration error rather than a crashed worker.
		if r := recover(); r != nil {
			doc, err = nil, &Error{File: file, Message: fmt.Sprintf("cannot parse YAML: %v", r)}
		}
	}()

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // empty or comments only: defaults apply
		}
		return nil, syntaxError(file, data, err)
	}
	// The decoder stops after the first document; a second one would be
	// silently ignored, which is exactly what strict parsing must not do.
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &Error{File: file, Line: extra.Line, Column: extra.Column, Message: "only one YAML document is allowed"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(file, data, err)
	}
	if e := checkExpansion(&root); e != nil {
		e.File = file
		return nil, e
	}

	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(out); err != nil {
		return nil, decodeError(file, data, &root, err)
	}
	return &root, nil
}

// checkExpansion rejects documents whose aliases would expand to more than
// maxNodes nodes, or that contain an alias to its own anchor. Sizes are
// memoised per node, so the check is linear in the size of the file however
// large the expansion would be.
func checkExpansion(root *yaml.Node) *Error {
	sizes := map[*yaml.Node]int{}
	open := map[*yaml.Node]bool{}
	var size func(n *yaml.Node) (int, *Error)
	size = func(n *yaml.Node) (int, *Error) {
		if s, ok := sizes[n]; ok {
			return s, nil
		}
		if open[n] {
			return 0, &Error{Line: n.Line, Column: n.Column, Message: "an alias refers to the node that contains it"}
		}
		open[n] = true
		defer delete(open, n)
		total := 1
		children := n.Content
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			children = []*yaml.Node{n.Alias}
		}
		for _, c := range children {
			s, err := size(c)
			if err != nil {
				return 0, err
			}
			total += s
			if total > maxNodes {
				return 0, &Error{Line: n.Line, Column: n.Column, Message: fmt.Sprintf("document expands to more than %d nodes through aliases", maxNodes)}
			}
		}
		sizes[n] = total
		return total, nil
	}
	_, err := size(root)
	return err
}

var (
	reLine    = regexp.MustCompile(`^line (\d+): (.*)$`)
	reUnknown = regexp.MustCompile(`^field (.*?) not found in type `)
	reType    = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")
	reDup     = regexp.MustCompile(`^mapping key (".*") already defined at line (\d+)$`)
)

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). yaml.v3 prints their line 0-based, unlike scanner errors, so
// syntaxError adds one to them.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found incompatible YAML document":       true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"found undefined tag handle":             true,
}

// syntaxError turns a yaml.v3 parse error ("yaml: line 3: ...") into an
// *Error, keeping the line when yaml.v3 gives one. For an unclosed list or
// mapping the line is where it starts, which is where the fix usually is.
func syntaxError(file string, data []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: file}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if parserProblems[msg] {
			e.Line++
		}
		// At the end of the input yaml.v3 counts one line past the last.
		if last := lineCount(data); e.Line > last {
			e.Line = last
		}
	}
	e.Message = "invalid YAML: " + msg
	return e
}

func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

// decodeError translates what the strict decoder returned. yaml.v3 reports
// type problems as text ("line 3: cannot unmarshal !!str `x` into float64"),
// so the first one is rewritten in user terms and located in the node tree to
// name the key it belongs to.
func decodeError(file string, data []byte, doc *yaml.Node, err error) error {
	var ce *Error
	if errors.As(err, &ce) { // from one of our UnmarshalYAML methods
		e := *ce
		e.File = file
		if path, n := find(doc, func(n *yaml.Node, key bool) bool {
			return !key && n.Line == e.Line && n.Column == e.Column
		}); n != nil && len(path) > 0 {
			e.Message = pathString(path) + ": " + e.Message
		}
		return &e
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return syntaxError(file, data, err)
	}
	msg := te.Errors[0]
	e := &Error{File: file, Message: msg}
	m := reLine.FindStringSubmatch(msg)
	if m == nil {
		return e
	}
	e.Line, _ = strconv.Atoi(m[1])
	e.Message = m[2]
	if m := reUnknown.FindStringSubmatch(e.Message); m != nil {
		key := m[1]
		e.Message = fmt.Sprintf("unknown key %q", key)
		if path, n := find(doc, func(n *yaml.Node, isKey bool) bool {
			return isKey && n.Line == e.Line && n.Value == key
		}); n != nil {
			e.Column = n.Column
			if len(path) > 0 {
				e.Message += " in " + pathString(path)
			}
		}
	} else if m := reType.FindStringSubmatch(e.Message); m != nil {
		tag, value, goType := m[1], m[2], m[3]
		path, n := find(doc, func(n *yaml.Node, isKey bool) bool {
			return !isKey && n.Line == e.Line && n.ShortTag() == tag && sameValue(n.Value, value)
		})
		if n != nil {
			e.Column = n.Column
			value = n.Value
		}
		e.Message = fmt.Sprintf("expected %s, found %s", describeType(goType), describeValue(tag, value))
		if len(path) > 0 {
			e.Message = pathString(path) + ": " + e.Message
		}
	} else if m := reDup.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("duplicate key %s (first set on line %s)", m[1], m[2])
	}
	return e
}

// sameValue compares a node's value with yaml.v3's excerpt of it, which is
// cut to seven characters and "..." for longer values.
func sameValue(full, excerpt string) bool {
	if head, ok := strings.CutSuffix(excerpt, "..."); ok && len(full) > 10 {
		return strings.HasPrefix(full, head)
	}
	return full == excerpt
}

// describeType names a Go type the way a YAML author thinks of it.
func describeType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case goType == "time.Duration":
		return "a duration such as 24h"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	default: // maps and structs
		return "a mapping"
	}
}

// describeValue names what was found instead.
func describeValue(tag, value string) string {
	const maxShown = 40
	if len(value) > maxShown {
		value = value[:maxShown] + "..."
	}
	switch tag {
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping"
	case "!!null":
		return "nothing"
	case "!!str":
		return strconv.Quote(value)
	default:
		return value
	}
}

// find walks the document in order and returns the first node for which
// match is true, with its path (mapping keys as strings, sequence indexes as
// ints). Mapping keys are offered to match with key=true; a key's path is
// that of the mapping holding it. Aliases are not followed: they add no
// positions of their own, and following them could loop.
func find(doc *yaml.Node, match func(n *yaml.Node, key bool) bool) ([]any, *yaml.Node) {
	var path []any
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n.Kind != yaml.DocumentNode && match(n, false) {
			return n
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if got := walk(c); got != nil {
					return got
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				path = append(path, i)
				if got := walk(c); got != nil {
					return got
				}
				path = path[:len(path)-1]
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if match(k, true) {
					return k
				}
				path = append(path, k.Value)
				if got := walk(v); got != nil {
					return got
				}
				path = path[:len(path)-1]
			}
		}
		return nil
	}
	if doc == nil {
		return nil, nil
	}
	n := walk(doc)
	if n == nil {
		return nil, nil
	}
	return path, n
}

// lookup follows path (keys and indexes, through aliases) from the document
// root. It returns the deepest node reached and whether the whole path
// exists, so an error about a missing key can still point at its parent.
func lookup(doc *yaml.Node, path ...any) (n *yaml.Node, found bool) {
	if doc == nil {
		return nil, false
	}
	n = doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, p := range path {
		cur := n
		if cur.Kind == yaml.AliasNode && cur.Alias != nil {
			cur = cur.Alias
		}
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			if cur.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(cur.Content); i += 2 {
					if cur.Content[i].Value == p {
						next = cur.Content[i+1]
					}
				}
			}
		case int:
			if cur.Kind == yaml.SequenceNode && p >= 0 && p < len(cur.Content) {
				next = cur.Content[p]
			}
		}
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// pathString renders a path as exemptions[0].reason, quoting keys that are
// not identifiers (rule IDs contain dots): rules.severity["catalog.owner"].
func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		case string:
			if !plainKey.MatchString(p) {
				fmt.Fprintf(&b, "[%q]", p)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}
