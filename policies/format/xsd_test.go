package format

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Go has no XSD validator, and the well-kept ones need cgo and libxml2. This
// file interprets the subset of XML Schema that junit-10.xsd is written in —
// global and local element declarations, element refs, named and anonymous
// complex types (mixed or not), sequence and choice with minOccurs/maxOccurs,
// attributes with use="required", xs:string and simple types restricted by a
// pattern — from the schema file itself, so the rules checked are the schema's,
// not a copy of them. A construct outside that subset fails the test rather
// than being skipped.

// xmlNode is a parsed element: local name, attributes, children and text.
type xmlNode struct {
	name     string
	attrs    map[string]string
	children []*xmlNode
	text     string
}

func parseXML(data []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
}

type xsdSchema struct {
	elements     map[string]*xmlNode // global xs:element by name
	complexTypes map[string]*xmlNode
	patterns     map[string]*regexp.Regexp // simple types restricted by a pattern
}

func loadXSD(t *testing.T, path string) *xsdSchema {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseXML(data)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	s := &xsdSchema{elements: map[string]*xmlNode{}, complexTypes: map[string]*xmlNode{}, patterns: map[string]*regexp.Regexp{}}
	for _, n := range root.children {
		switch n.name {
		case "element":
			s.elements[n.attrs["name"]] = n
		case "complexType":
			s.complexTypes[n.attrs["name"]] = n
		case "simpleType":
			r := child(n, "restriction")
			p := child(r, "pattern")
			if r == nil || r.attrs["base"] != "xs:string" || p == nil {
				t.Fatalf("simple type %s: only xs:string restricted by a pattern is supported", n.attrs["name"])
			}
			// XSD patterns match the whole value.
			s.patterns[n.attrs["name"]] = regexp.MustCompile(`^(?:` + p.attrs["value"] + `)$`)
		default:
			t.Fatalf("unsupported top-level XSD construct <%s>", n.name)
		}
	}
	return s
}

func child(n *xmlNode, name string) *xmlNode {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// validate checks a document against the schema and returns every violation.
func (s *xsdSchema) validate(doc []byte) ([]string, error) {
	root, err := parseXML(doc)
	if err != nil {
		return nil, err
	}
	decl, ok := s.elements[root.name]
	if !ok {
		return []string{fmt.Sprintf("root element <%s> is not declared", root.name)}, nil
	}
	var errs []string
	s.check(root, decl, "/"+root.name, &errs)
	return errs, nil
}

func (s *xsdSchema) check(n, decl *xmlNode, path string, errs *[]string) {
	fail := func(format string, args ...any) { *errs = append(*errs, path+": "+fmt.Sprintf(format, args...)) }
	if ref := decl.attrs["ref"]; ref != "" {
		decl = s.elements[ref]
		if decl == nil {
			fail("element ref %q is not declared", ref)
			return
		}
	}
	var ct *xmlNode
	switch typ := decl.attrs["type"]; {
	case typ == "xs:string":
		if len(n.children) > 0 {
			fail("a string element has child elements")
		}
		for a := range n.attrs {
			fail("attribute %q is not allowed on a string element", a)
		}
		return
	case typ != "":
		if ct = s.complexTypes[typ]; ct == nil {
			fail("unsupported type %q", typ)
			return
		}
	default:
		if ct = child(decl, "complexType"); ct == nil {
			fail("element declaration without a type")
			return
		}
	}

	declared := map[string]bool{}
	var model *xmlNode
	for _, c := range ct.children {
		switch c.name {
		case "attribute":
			name := c.attrs["name"]
			declared[name] = true
			v, present := n.attrs[name]
			if c.attrs["use"] == "required" && !present {
				fail("required attribute %q is missing", name)
			}
			if re, ok := s.patterns[c.attrs["type"]]; ok && present && !re.MatchString(v) {
				fail("attribute %s=%q does not match type %s", name, v, c.attrs["type"])
			} else if !ok && c.attrs["type"] != "xs:string" {
				fail("unsupported attribute type %q", c.attrs["type"])
			}
		case "sequence", "choice":
			model = c
		default:
			fail("unsupported complex type construct <%s>", c.name)
		}
	}
	for a := range n.attrs {
		if !declared[a] {
			fail("attribute %q is not allowed", a)
		}
	}
	if ct.attrs["mixed"] != "true" && strings.TrimSpace(n.text) != "" {
		fail("text is not allowed")
	}

	decls := map[string]*xmlNode{}
	pattern := ""
	if model != nil {
		var err error
		if pattern, err = particle(model, decls); err != nil {
			fail("%v", err)
			return
		}
	}
	var names strings.Builder
	for _, c := range n.children {
		names.WriteString(c.name + ",")
	}
	if !regexp.MustCompile(`^` + pattern + `$`).MatchString(names.String()) {
		fail("children %q do not match the content model %s", names.String(), pattern)
	}
	for i, c := range n.children {
		if d := decls[c.name]; d != nil {
			s.check(c, d, path+"/"+c.name+"["+strconv.Itoa(i)+"]", errs)
		}
	}
}

// particle turns a content model into a regular expression over the children's
// names, each followed by a comma, and records each child's declaration.
func particle(n *xmlNode, decls map[string]*xmlNode) (string, error) {
	var inner string
	switch n.name {
	case "element":
		name := n.attrs["ref"]
		if name == "" {
			name = n.attrs["name"]
		}
		decls[name] = n
		inner = "(?:" + regexp.QuoteMeta(name+",") + ")"
	case "sequence", "choice":
		var parts []string
		for _, c := range n.children {
			p, err := particle(c, decls)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		sep := ""
		if n.name == "choice" {
			sep = "|"
		}
		inner = "(?:" + strings.Join(parts, sep) + ")"
	default:
		return "", fmt.Errorf("unsupported content model construct <%s>", n.name)
	}
	low, high := n.attrs["minOccurs"], n.attrs["maxOccurs"]
	if low == "" {
		low = "1"
	}
	switch high {
	case "":
		high = "1"
	case "unbounded":
		high = ""
	}
	return inner + "{" + low + "," + high + "}", nil
}

// TestXSDValidatorRejects shows the validator finds what the Jenkins schema
// forbids, so that a clean result means something.
func TestXSDValidatorRejects(t *testing.T) {
	schema := loadXSD(t, "testdata/schemas/junit-10.xsd")
	tests := []struct{ name, doc, want string }{
		{"skipped count on testsuites", `<testsuites skipped="1"></testsuites>`, `attribute "skipped" is not allowed`},
		{"testcase without a name", `<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase classname="c"/></testsuite></testsuites>`, `required attribute "name" is missing`},
		{"suite without failures", `<testsuites><testsuite name="s" tests="0" errors="0"></testsuite></testsuites>`, `required attribute "failures" is missing`},
		{"failure outside a testcase", `<testsuites><testsuite name="s" tests="0" failures="0" errors="0"><failure/></testsuite></testsuites>`, `do not match the content model`},
		{"property without a value", `<testsuites><testsuite name="s" tests="0" failures="0" errors="0"><properties><property name="x"/></properties></testsuite></testsuites>`, `required attribute "value" is missing`},
		{"bad time", `<testsuites time="soon"></testsuites>`, `does not match type SUREFIRE_TIME`},
		{"unknown root", `<tests/>`, `root element <tests> is not declared`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, err := schema.validate([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(errs, "\n"), tt.want) {
				t.Errorf("violations %q, want one holding %q", errs, tt.want)
			}
		})
	}
	valid := `<testsuites name="x" tests="1" failures="1" errors="0"><testsuite name="s" tests="1" failures="1" errors="0" skipped="0">` +
		`<properties><property name="a" value="b"/></properties><testcase name="t" classname="c"><failure type="error" message="m">text</failure></testcase></testsuite></testsuites>`
	if errs, err := schema.validate([]byte(valid)); err != nil || len(errs) > 0 {
		t.Errorf("a valid report was rejected: %v %v", errs, err)
	}
}
