package policies

import (
	"strings"
	"testing"
)

func TestParseYAMLDocuments(t *testing.T) {
	bomb := `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
`
	tests := []struct {
		name    string
		src     string
		docs    int
		errLine int
		errText string
		lines   map[string]int
	}{
		{"two documents", "kind: A\nmetadata:\n  name: a\n---\nkind: B\n", 2, 0, "", map[string]int{"kind": 1, "metadata.name": 3}},
		{"syntax error", "kind: A\nmetadata:\n  name: a\n   bad: [\n", 0, 4, "", nil},
		{"alias bomb", bomb, 0, 0, "too many aliases", nil},
		{"deep nesting", strings.Repeat("[", 100) + strings.Repeat("]", 100), 0, 1, "nesting", nil},
		{"merge keys", "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n", 1, 0, "", map[string]int{"child.y": 4}},
		{"empty", "", 0, 0, "", nil},
		{"duplicate top-level key", "kind: A\nmetadata:\n  name: a\nkind: B\n", 0, 4, `duplicate key "kind" (first on line 1)`, nil},
		{"duplicate nested key", "metadata:\n  name: a\n  labels: {}\n  name: b\n", 0, 4, `duplicate key "metadata.name" (first on line 2)`, nil},
		{"same key in sibling mappings", "a:\n  x: 1\nb:\n  x: 2\n", 1, 0, "", map[string]int{"a.x": 2, "b.x": 4}},
		{"merge key does not count as a duplicate", "base: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n", 1, 0, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := parseYAMLDocuments([]byte(tt.src))
			if tt.errLine > 0 || tt.errText != "" {
				if err == nil {
					t.Fatalf("want an error, got %d docs", len(docs))
				}
				if tt.errLine > 0 && err.Line != tt.errLine {
					t.Fatalf("error on line %d, want %d: %v", err.Line, tt.errLine, err)
				}
				if !strings.Contains(err.Message, tt.errText) {
					t.Fatalf("error %q, want it to mention %q", err.Message, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != tt.docs {
				t.Fatalf("%d documents, want %d", len(docs), tt.docs)
			}
			for k, line := range tt.lines {
				if docs[0].Lines[k] != line {
					t.Fatalf("line of %s = %d, want %d (%v)", k, docs[0].Lines[k], line, docs[0].Lines)
				}
			}
		})
	}
}
