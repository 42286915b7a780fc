package format

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// junitWriter writes JUnit XML for CI test reports: one testsuite per aspect, one
// testcase per rule (classname = aspect, name = rule ID), and a last "problems"
// suite with an error per configuration or custom-rule problem, so that a broken
// configuration fails the report instead of vanishing from it.
type junitWriter struct{}

type junitTestsuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitOutcome `xml:"failure,omitempty"`
	Error     *junitOutcome `xml:"error,omitempty"`
	Skipped   *junitOutcome `xml:"skipped,omitempty"`
}

// junitOutcome's body is CDATA, so multi-line text stays readable; encoding/xml
// splits any "]]>" in it, and clean has removed the characters XML cannot carry.
type junitOutcome struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// problemsSuite names the suite (and classname) of configuration problems.
const problemsSuite = "problems"

func (junitWriter) Write(w io.Writer, ev *policies.Evaluation) error {
	if ev == nil {
		return errNoEvaluation
	}
	root := junitTestsuites{Name: "goldenpath " + oneLine(ev.Repository)}
	props := []junitProperty{
		{Name: "repository", Value: oneLine(ev.Repository)},
		{Name: "component_type", Value: oneLine(ev.ComponentType)},
	}
	if ev.Partial != "" {
		props = append(props, junitProperty{Name: "partial", Value: oneLine(ev.Partial)})
	}
	for _, g := range junitGroups(ev) {
		suite := junitSuite{Name: g.name, Properties: props}
		if g.component != nil {
			suite.Properties = append(slices.Clone(props),
				junitProperty{Name: "component", Value: oneLine(g.component.Name)},
				junitProperty{Name: "component_path", Value: pathText(g.component.Path)},
				junitProperty{Name: "component_type", Value: oneLine(g.component.Type)})
		}
		for _, r := range g.results {
			c := junitCase{Classname: g.name, Name: oneLine(r.Rule)}
			switch r.Status {
			case policies.StatusFail:
				suite.Failures++
				c.Failure = &junitOutcome{
					Message: oneLine(r.Message),
					Type:    oneLine(string(r.Severity)),
					Text:    failureText(r),
				}
			case policies.StatusError:
				suite.Errors++
				c.Error = &junitOutcome{Message: oneLine(r.Message), Type: "rule error", Text: failureText(r)}
			case policies.StatusSkip:
				suite.Skipped++
				msg := oneLine(r.Message)
				if r.Exempt {
					msg = "exempt: " + msg
				}
				c.Skipped = &junitOutcome{Message: msg}
			}
			suite.Cases = append(suite.Cases, c)
		}
		suite.Tests = len(suite.Cases)
		root.add(suite)
	}
	if len(ev.Problems) > 0 {
		suite := junitSuite{Name: problemsSuite, Properties: props}
		for _, p := range ev.Problems {
			where := oneLine(p.Source)
			if p.Line > 0 {
				where += ":" + strconv.Itoa(p.Line)
			}
			suite.Cases = append(suite.Cases, junitCase{
				Classname: problemsSuite,
				Name:      where,
				Error:     &junitOutcome{Message: oneLine(p.Message), Type: "configuration", Text: clean(p.Message)},
			})
			suite.Errors++
		}
		suite.Tests = len(suite.Cases)
		root.add(suite)
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// junitGroup is one suite: an aspect, of one component when there are several.
type junitGroup struct {
	name      string
	component *policies.Component
	results   []policies.Result
}

func junitGroups(ev *policies.Evaluation) []junitGroup {
	var out []junitGroup
	for _, sec := range sections(ev) {
		for _, g := range byAspect(sec.results) {
			name := g.aspect
			if sec.component != nil {
				name = oneLine(sec.component.Name) + "." + g.aspect
			}
			out = append(out, junitGroup{name: name, component: sec.component, results: g.results})
		}
	}
	return out
}

func (t *junitTestsuites) add(s junitSuite) {
	t.Suites = append(t.Suites, s)
	t.Tests += s.Tests
	t.Failures += s.Failures
	t.Errors += s.Errors
	t.Skipped += s.Skipped
}

// failureText is the body of a failure: the message, the files, then how to fix it.
func failureText(r policies.Result) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(clean(r.Message)))
	b.WriteByte('\n')
	for _, f := range r.Files {
		b.WriteString("at " + fileText(f) + "\n")
	}
	if r.Status == policies.StatusFail && strings.TrimSpace(r.Remediation) != "" {
		b.WriteString("\nHow to fix:\n")
		b.WriteString(strings.TrimRight(clean(r.Remediation), "\n"))
		b.WriteByte('\n')
	}
	return b.String()
}
