// Package checks turns an evaluation into what a developer sees on a pull request:
// the check run's conclusion, title, summary and annotations, and the sticky comment.
// It is pure: no GitHub access, so every rendering is table-tested.
package checks

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/fix"
	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/markdown"
)

// CommentMarker identifies the app's sticky comment on a pull request.
const CommentMarker = "<!-- goldenpath:pr -->"

// FixAction is the check run's button that opens a fix pull request; a press
// arrives as check_run requested_action with its identifier.
var FixAction = ghport.CheckRunAction{Label: "Fix it for me", Description: "Open a pull request adding these files", Identifier: controls.FixActionID}

// Conclusion follows PRODUCT.md: success when every applicable rule passes;
// otherwise neutral in advisory mode, and failure in blocking mode when an
// error-severity rule fails. Configuration problems make it at least neutral.
func Conclusion(ev *policies.Evaluation, blocking bool) string {
	allPass := ev.Summary.Failed == 0 && ev.Summary.Errored == 0 && len(ev.Problems) == 0
	switch {
	case allPass:
		return "success"
	case blocking && ev.Failed():
		return "failure"
	default:
		return "neutral"
	}
}

// Title is exactly "N of M golden-path rules pass".
func Title(s policies.Summary) string {
	return fmt.Sprintf("%d of %d golden-path rules pass", s.Passed, s.Applicable)
}

// Facts are what the rendering needs beyond the evaluation.
type Facts struct {
	Blocking bool
	// Base is the evaluation of the pull request's base, nil when unknown.
	Base *policies.Evaluation
	// DetailsURL is where the check's "Details" link leads (the adoption report); optional.
	DetailsURL string
	// Fixes are the files that make failing rules pass, generated for this
	// repository (the generators of `goldenpath fix`); they replace the rule's
	// generic remediation in "How to fix".
	Fixes []fix.File
	// OfferFix says a fix pull request would add files: fixes.enabled, and a
	// failing rule that fixes.rules allows has a fix. The check then offers the
	// "Fix it for me" button.
	OfferFix bool
}

// CheckOutput renders the check run for an evaluation: what the pull request
// changes first, then what still fails, most severe first.
// The run is completed; its name and commit are the caller's.
func CheckOutput(ev *policies.Evaluation, f Facts) ghport.CheckRun {
	out := ghport.CheckRun{Status: "completed", Conclusion: Conclusion(ev, f.Blocking), Title: Title(ev.Summary), DetailsURL: f.DetailsURL}
	var b strings.Builder
	mode := "advisory"
	if f.Blocking {
		mode = "blocking"
	}
	fmt.Fprintf(&b, "Component type **%s**, score **%.0f%%**, %s mode.\n\n", markdown.Text(ev.ComponentType), ev.Summary.Score, mode)
	writeChange(&b, f.Base, ev)
	writeProblems(&b, ev.Problems)
	b.WriteString("| Aspect | Pass | Fail | Error | Skip |\n|---|---:|---:|---:|---:|\n")
	for _, aspect := range policies.Aspects {
		var pass, fail, errs, skip int
		for _, r := range ev.Results {
			if r.Aspect != aspect {
				continue
			}
			switch r.Status {
			case policies.StatusPass:
				pass++
			case policies.StatusFail:
				fail++
			case policies.StatusError:
				errs++
			case policies.StatusSkip:
				skip++
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", aspect, pass, fail, errs, skip)
	}
	out.Summary = b.String()

	var t strings.Builder
	for _, g := range failureGroups(f.Base, ev) {
		if g.heading != "" {
			fmt.Fprintf(&t, "## %s\n\n", g.heading)
		}
		for _, r := range g.fails {
			fmt.Fprintf(&t, "### %s %s (%s, %s level %d)\n\n%s\n\n", mark(r), markdown.Code(r.Rule), severityWord(r), r.Aspect, r.Level, markdown.Text(r.Message))
			if how := howToFix(r, f); how != "" {
				fmt.Fprintf(&t, "**How to fix:**\n\n%s\n\n", how)
			}
			for _, file := range r.Files {
				out.Annotations = append(out.Annotations, annotation(r, file))
			}
		}
	}
	out.Text = t.String()
	if f.OfferFix {
		out.Actions = []ghport.CheckRunAction{FixAction}
	}
	return out
}

func annotation(r policies.Result, file policies.FileRef) ghport.Annotation {
	line := max(file.Line, 1)
	level := "notice"
	switch {
	case r.Status == policies.StatusError || r.Severity == policies.SeverityError:
		level = "failure"
	case r.Severity == policies.SeverityWarning:
		level = "warning"
	}
	return ghport.Annotation{Path: file.Path, StartLine: line, EndLine: line, Level: level, Title: r.Rule + ": " + r.Title, Message: r.Message}
}

func writeProblems(b *strings.Builder, problems []policies.Problem) {
	if len(problems) == 0 {
		return
	}
	b.WriteString("**Configuration problems** (the last valid configuration applies):\n\n")
	for _, p := range problems {
		loc := p.Source
		if p.Line > 0 {
			loc = fmt.Sprintf("%s:%d", p.Source, p.Line)
		}
		fmt.Fprintf(b, "- %s: %s\n", markdown.Code(loc), markdown.Text(p.Message))
	}
	b.WriteString("\n")
}

func failing(r policies.Result) bool {
	return r.Status == policies.StatusFail || r.Status == policies.StatusError
}

// severityRank puts the most severe first.
var severityRank = map[policies.Severity]int{policies.SeverityError: 0, policies.SeverityWarning: 1, policies.SeverityInfo: 2}

// failures are the failing results, most severe first; at one severity a rule
// that failed comes before one that could not run, then by rule ID.
func failures(ev *policies.Evaluation) []policies.Result { return failingOf(ev.Results) }

// failingOf is failures for a list of results.
func failingOf(results []policies.Result) []policies.Result {
	var out []policies.Result
	for _, r := range results {
		if failing(r) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b policies.Result) int {
		return cmp.Or(
			cmp.Compare(severityRank[a.Severity], severityRank[b.Severity]),
			cmp.Compare(statusRank(a), statusRank(b)),
			strings.Compare(a.Rule, b.Rule))
	})
	return out
}

func statusRank(r policies.Result) int {
	if r.Status == policies.StatusError {
		return 1
	}
	return 0
}

// change is what a pull request does against its base: the rules it breaks (fail
// on the head, not on the base) and the rules it fixes (fail on the base, pass on
// the head).
type change struct{ breaks, fixes []policies.Result }

func changeOf(base, head *policies.Evaluation) change {
	if base == nil {
		return change{}
	}
	return changeBetween(base.Results, head.Results)
}

// changeBetween is changeOf for two lists of results.
func changeBetween(base, head []policies.Result) change {
	var c change
	before := make(map[string]policies.Result, len(base))
	for _, r := range base {
		before[r.Rule] = r
	}
	for _, r := range failingOf(head) {
		if b, ok := before[r.Rule]; !ok || !failing(b) {
			c.breaks = append(c.breaks, r)
		}
	}
	for _, r := range head {
		if b, ok := before[r.Rule]; ok && failing(b) && r.Status == policies.StatusPass {
			c.fixes = append(c.fixes, r)
		}
	}
	return c
}

// failureGroup is what fails in one part of a repository with several
// components: its repository-scoped rules, or one component.
type failureGroup struct {
	heading string // empty for a repository with one component
	fails   []policies.Result
}

// failureGroups lists the failures, most severe first, in one group for a
// repository with one component; with several, the repository-scoped rules come
// first, then each component with failures, those whose outcome the pull request
// changes (a rule it breaks or fixes there) before the others.
func failureGroups(base, head *policies.Evaluation) []failureGroup {
	if len(head.Components) <= 1 {
		return []failureGroup{{fails: failures(head)}}
	}
	var groups []failureGroup
	var repo []policies.Result
	for _, r := range failures(head) {
		if r.Scope != policies.ScopeComponent {
			repo = append(repo, r)
		}
	}
	if len(repo) > 0 {
		groups = append(groups, failureGroup{heading: "Repository", fails: repo})
	}
	type componentGroup struct {
		failureGroup
		changed bool
	}
	var comps []componentGroup
	for _, c := range head.Components {
		fails := failingOf(c.Results)
		if len(fails) == 0 {
			continue
		}
		g := componentGroup{failureGroup: failureGroup{fails: fails}}
		if base != nil {
			var before []policies.Result
			for _, bc := range base.Components {
				if bc.Name == c.Name && bc.Path == c.Path {
					before = bc.Results
				}
			}
			ch := changeBetween(before, c.Results)
			g.changed = len(ch.breaks)+len(ch.fixes) > 0
		}
		g.heading = "Component " + markdown.Code(c.Name) + " in " + markdown.Code(c.Path)
		if g.changed {
			g.heading += " (changed by this pull request)"
		}
		comps = append(comps, g)
	}
	slices.SortStableFunc(comps, func(a, b componentGroup) int {
		switch {
		case a.changed == b.changed:
			return 0
		case a.changed:
			return -1
		}
		return 1
	})
	for _, c := range comps {
		groups = append(groups, c.failureGroup)
	}
	return groups
}

// writeChange leads with what the pull request changes, when the base is known.
func writeChange(b *strings.Builder, base, head *policies.Evaluation) {
	if base == nil {
		return
	}
	c := changeOf(base, head)
	if len(c.breaks) == 0 && len(c.fixes) == 0 {
		b.WriteString("**This pull request** changes no rule's outcome.\n\n")
		return
	}
	fmt.Fprintf(b, "**This pull request** breaks %s and fixes %s:\n\n", rules(len(c.breaks)), rules(len(c.fixes)))
	for _, r := range c.breaks {
		fmt.Fprintf(b, "- %s breaks %s %s (%s)\n", mark(r), markdown.Code(r.Rule), markdown.Text(r.Title), severityWord(r))
	}
	for _, r := range c.fixes {
		fmt.Fprintf(b, "- ✅ fixes %s %s\n", markdown.Code(r.Rule), markdown.Text(r.Title))
	}
	b.WriteString("\n")
}

func rules(n int) string {
	if n == 1 {
		return "1 rule"
	}
	return fmt.Sprintf("%d rules", n)
}

// mark tells severities apart at a glance; the word beside it says the same for
// readers who do not see colour.
func mark(r policies.Result) string {
	switch {
	case r.Status == policies.StatusError:
		return "⚠️"
	case r.Severity == policies.SeverityError:
		return "🔴"
	case r.Severity == policies.SeverityWarning:
		return "🟠"
	}
	return "🔵"
}

// severityWord is the severity, or says that the rule itself could not run.
func severityWord(r policies.Result) string {
	if r.Status == policies.StatusError {
		return string(r.Severity) + ", could not be judged"
	}
	return string(r.Severity)
}

// howToFix is the generated files for a failing rule, filled in for this
// repository, or else the rule's remediation.
func howToFix(r policies.Result, f Facts) string {
	var b strings.Builder
	for _, file := range f.Fixes {
		if file.Rule != r.Rule {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("Add these files, filled in for this repository (`goldenpath fix` writes them):\n\n")
		}
		fence := codeFence(string(file.Content))
		fmt.Fprintf(&b, "%s\n\n%s%s\n%s\n%s\n\n", markdown.Code(file.Path), fence, language(file.Path), strings.TrimRight(string(file.Content), "\n"), fence)
	}
	if b.Len() > 0 {
		return strings.TrimSpace(b.String())
	}
	return remediation(r)
}

// codeFence is a backtick fence longer than any run of backticks in content, so
// the content cannot close it.
func codeFence(content string) string {
	longest, run := 0, 0
	for _, c := range content {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func language(p string) string {
	switch path.Ext(p) {
	case ".yaml", ".yml":
		return "yaml"
	case ".md":
		return "markdown"
	}
	return ""
}

// remediation is the rule's remediation, its placeholders filled in by the engine.
// Remediations are authored by the platform team (trusted Markdown).
func remediation(r policies.Result) string { return strings.TrimSpace(r.Remediation) }
