// Package format writes a repository's evaluation in the output formats of
// `goldenpath check`: text for people, json for scripts, sarif for GitHub code
// scanning and junit for CI test reports.
package format

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// Writer writes one evaluation in one format.
type Writer interface {
	Write(w io.Writer, ev *policies.Evaluation) error
}

// Options tune the writers; the zero value is a valid choice for every format.
type Options struct {
	// Color turns on ANSI colours in the text format. The caller decides it (a
	// terminal on stdout, no NO_COLOR); the writers never look at the environment.
	Color bool
	// Width is the column the text format wraps at; 0 means 80.
	Width int
	// Version is goldenpath's version, reported as the SARIF tool version.
	Version string
	// Rules is the engine's rule set (Engine.Rules). It is optional: SARIF takes
	// rule descriptions and help links from it.
	Rules []policies.Rule
	// FailOn is the least severity whose failure fails the run (exit 1); empty
	// means error. The text verdict and the JUnit mapping of failures follow it,
	// so that a report never shows red for a run that passes.
	FailOn policies.Severity
	// ExitZero says the run exits 0 whatever fails (--exit-zero); the text
	// verdict says so instead of naming exit 1.
	ExitZero bool
	// Quiet limits the text format to what fails and the verdict.
	Quiet bool
	// Paths are the repository's files (its snapshot's entries). SARIF locates
	// findings only at files among them, and anchors a finding that names no file
	// at one of them; nil means unknown: SARIF then takes only the files a result
	// names, and reports a finding without any as a notification, not an alert.
	Paths []string
}

// failOn is FailOn with its default.
func (o Options) failOn() policies.Severity {
	if o.FailOn == "" {
		return policies.SeverityError
	}
	return o.FailOn
}

// failsRun reports whether a result makes the run fail at the chosen severity,
// as Evaluation.FailingAt decides the exit status.
func (o Options) failsRun(r policies.Result) bool { return r.FailsAt(o.failOn()) }

// Format names accepted by ByName, in the order they are documented.
const (
	Text  = "text"
	JSON  = "json"
	SARIF = "sarif"
	JUnit = "junit"
)

// Names lists the valid format names.
func Names() []string { return []string{Text, JSON, SARIF, JUnit} }

// ByName returns the writer for a format name (text, json, sarif or junit).
func ByName(name string, opts Options) (Writer, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case Text:
		return textWriter{opts: opts}, nil
	case JSON:
		return jsonWriter{}, nil
	case SARIF:
		return sarifWriter{opts: opts}, nil
	case JUnit:
		return junitWriter{opts: opts}, nil
	}
	return nil, fmt.Errorf("unknown format %q: valid formats are %s", name, strings.Join(Names(), ", "))
}

var errNoEvaluation = errors.New("no evaluation to write")

// aspectGroup is the results of one aspect, in evaluation order.
type aspectGroup struct {
	aspect  string
	results []policies.Result
}

// otherAspect collects results whose aspect is not one of the model's, so that a
// result is never dropped from the output.
const otherAspect = "other"

// byAspect groups results by aspect in the model's order; aspects without results
// are left out.
func byAspect(results []policies.Result) []aspectGroup {
	var groups []aspectGroup
	for _, aspect := range append(slices.Clone(policies.Aspects), otherAspect) {
		g := aspectGroup{aspect: aspect}
		for _, r := range results {
			known := slices.Contains(policies.Aspects, r.Aspect)
			if r.Aspect == aspect && known || aspect == otherAspect && !known {
				g.results = append(g.results, r)
			}
		}
		if len(g.results) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// clean makes text from a repository or a rule safe to show: it drops control
// characters other than newline and tab (ESC, CR, the C1 range including 8-bit
// CSI), bidirectional overrides that reorder what a reader sees, and the
// non-characters XML forbids; invalid UTF-8 becomes U+FFFD.
func clean(s string) string {
	if !needsCleaning(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if keepRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsCleaning(s string) bool {
	for _, r := range s {
		if !keepRune(r) || r == '\uFFFD' {
			return true
		}
	}
	return false
}

func keepRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return true
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return false
	case r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		return false
	case r == 0xfffe || r == 0xffff:
		return false
	}
	return true
}

// oneLine cleans text that must stay on one line (IDs, titles): newlines and tabs
// become spaces, so a title cannot start a line that looks like another rule.
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// pathText cleans a file path for display, showing newlines and tabs escaped
// rather than dropping them, so the path shown is still recognisably the file's.
func pathText(p string) string {
	return strings.NewReplacer("\n", `\n`, "\t", `\t`).Replace(clean(p))
}

// fileText is a file reference as people write it: path:line, or path alone.
func fileText(f policies.FileRef) string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d", pathText(f.Path), f.Line)
	}
	return pathText(f.Path)
}

// section is a part of a report: the repository's results, or one component's.
type section struct {
	component *policies.Component // nil for the repository
	results   []policies.Result
}

// sections splits an evaluation for the writers: with one component its
// repository-level results say everything; with several, the repository rules
// come first and then each component with its own results, so a failure names
// the component it is about.
func sections(ev *policies.Evaluation) []section {
	if len(ev.Components) <= 1 {
		return []section{{results: ev.Results}}
	}
	repo := section{}
	for _, r := range ev.Results {
		if r.Scope != policies.ScopeComponent {
			repo.results = append(repo.results, r)
		}
	}
	out := []section{repo}
	for i := range ev.Components {
		out = append(out, section{component: &ev.Components[i], results: ev.Components[i].Results})
	}
	return out
}

// componentName is a component's name and directory.
func componentName(c *policies.Component) string {
	return oneLine(c.Name) + " (" + pathText(c.Path) + ")"
}

// componentAbout says a component's type, where the type came from, and its owner.
func componentAbout(c *policies.Component) string {
	s := oneLine(c.Type) + " (" + oneLine(c.TypeSource)
	if c.TypeReason != "" {
		s += ": " + oneLine(c.TypeReason)
	}
	s += ")"
	if c.Owner != "" {
		s += " · owner " + oneLine(c.Owner)
	}
	return s
}
