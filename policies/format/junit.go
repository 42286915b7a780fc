package format

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// junitWriter writes JUnit XML for CI test reports, valid against the Jenkins
// xunit plugin's junit-10.xsd: one testsuite per aspect (per component and
// aspect when there are several), one testcase per rule. Suite and class names
// start with the repository, so reports of several repositories merged into one
// stay apart. A testcase is a <failure> exactly when the rule makes the run fail
// (Options.FailOn), so the report is red only when `goldenpath check` exits 1;
// everything else that needs a look (a failure below the fail-on severity, a rule
// error, a configuration problem) is <skipped> with a type that says which.
type junitWriter struct{ opts Options }

// junit-10.xsd allows name, time, tests, failures and errors on <testsuites>,
// and no skipped count.
type junitTestsuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
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
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitOutcome `xml:"failure,omitempty"`
	Skipped   *junitOutcome `xml:"skipped,omitempty"`
}

// junitOutcome's body is CDATA, so multi-line text stays readable; encoding/xml
// splits any "]]>" in it, and clean has removed the characters XML cannot carry.
type junitOutcome struct {
	Type    string `xml:"type,attr,omitempty"`
	Message string `xml:"message,attr"`
	Text    string `xml:",cdata"`
}

// Types of <skipped>: why a testcase neither passed nor failed the run.
const (
	junitRuleError     = "rule error"
	junitConfiguration = "configuration problem"
	junitExempt        = "exempt"
	junitNotJudged     = "not judged"
	junitNotApplicable = "not applicable"
)

// problemsClass is the last part of the class of configuration problems.
const problemsClass = "configuration"

func (j junitWriter) Write(w io.Writer, ev *policies.Evaluation) error {
	if ev == nil {
		return errNoEvaluation
	}
	repo := oneLine(ev.Repository)
	root := junitTestsuites{Name: "goldenpath " + repo}
	props := []junitProperty{
		{Name: "repository", Value: repo},
		{Name: "component_type", Value: oneLine(ev.ComponentType)},
		{Name: "fail_on", Value: string(j.opts.failOn())},
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
			switch {
			case j.opts.failsRun(r):
				c.Failure = &junitOutcome{Type: oneLine(string(r.Severity)), Message: oneLine(r.Message), Text: failureText(r)}
			case r.Status == policies.StatusFail:
				c.Skipped = &junitOutcome{
					Type:    oneLine(string(r.Severity)),
					Message: fmt.Sprintf("fails at %s, below --fail-on %s: %s", oneLine(string(r.Severity)), j.opts.failOn(), oneLine(r.Message)),
					Text:    failureText(r),
				}
			case r.Status == policies.StatusError:
				c.Skipped = &junitOutcome{Type: junitRuleError, Message: "rule error: " + oneLine(r.Message), Text: failureText(r)}
			case r.Status == policies.StatusSkip:
				msg := oneLine(r.Message)
				if r.Exempt {
					msg = "exempt: " + msg
				}
				c.Skipped = &junitOutcome{Type: skipType(r), Message: msg}
			}
			suite.add(c)
		}
		root.add(suite)
	}
	if len(ev.Problems) > 0 {
		name := repo + "." + problemsClass
		suite := junitSuite{Name: name, Properties: props}
		for _, p := range ev.Problems {
			suite.add(junitCase{
				Classname: name,
				Name:      location(oneLine(p.Source), p.Line),
				Skipped:   &junitOutcome{Type: junitConfiguration, Message: oneLine(p.Message), Text: clean(p.Message)},
			})
		}
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

// junitGroups names each suite repository.aspect, or repository.component.aspect,
// so that a consumer splitting the class name at its last dot shows the
// repository (and component) as the package and the aspect as the class.
func junitGroups(ev *policies.Evaluation) []junitGroup {
	repo := oneLine(ev.Repository)
	var out []junitGroup
	for _, sec := range sections(ev) {
		for _, g := range byAspect(sec.results) {
			name := repo + "." + g.aspect
			if sec.component != nil {
				name = repo + "." + oneLine(sec.component.Name) + "." + g.aspect
			}
			out = append(out, junitGroup{name: name, component: sec.component, results: g.results})
		}
	}
	return out
}

func skipType(r policies.Result) string {
	switch {
	case r.Exempt:
		return junitExempt
	case r.NotJudged:
		return junitNotJudged
	}
	return junitNotApplicable
}

func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	if c.Skipped != nil {
		s.Skipped++
	}
}

func (t *junitTestsuites) add(s junitSuite) {
	t.Suites = append(t.Suites, s)
	t.Tests += s.Tests
	t.Failures += s.Failures
	t.Errors += s.Errors
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
