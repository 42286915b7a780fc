// Package checks turns an evaluation into what a developer sees on a pull request:
// the check run's conclusion, title, summary and annotations, and the sticky comment.
// It is pure: no GitHub access, so every rendering is table-tested.
package checks

import (
	"fmt"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// CommentMarker identifies the app's sticky comment on a pull request.
const CommentMarker = "<!-- goldenpath:pr -->"

// Annotation marks a line of a file in a check run.
type Annotation struct {
	Path      string
	StartLine int
	EndLine   int
	Level     string // notice, warning, failure
	Title     string
	Message   string
}

// Output is a completed check run's content.
type Output struct {
	Conclusion  string
	Title       string
	Summary     string
	Text        string
	Annotations []Annotation
}

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
	// Repository and Owner fill the placeholders of remediation templates.
	Repository string
}

// CheckOutput renders the check run for an evaluation.
func CheckOutput(ev *policies.Evaluation, f Facts) Output {
	out := Output{Conclusion: Conclusion(ev, f.Blocking), Title: Title(ev.Summary)}
	var b strings.Builder
	mode := "advisory"
	if f.Blocking {
		mode = "blocking"
	}
	fmt.Fprintf(&b, "Component type **%s**, score **%.0f%%**, %s mode.\n\n", Escape(ev.ComponentType), ev.Summary.Score, mode)
	if line := scoreChange(f.Base, ev); line != "" {
		b.WriteString(line + "\n\n")
	}
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
	for _, r := range ev.Results {
		if r.Status != policies.StatusFail && r.Status != policies.StatusError {
			continue
		}
		fmt.Fprintf(&t, "### %s `%s` (%s, %s level %d)\n\n%s\n\n", statusMark(r.Status), r.Rule, r.Severity, r.Aspect, r.Level, Escape(r.Message))
		if fix := remediation(r, f.Repository); fix != "" {
			fmt.Fprintf(&t, "**How to fix:**\n\n%s\n\n", fix)
		}
		for _, file := range r.Files {
			out.Annotations = append(out.Annotations, annotation(r, file))
		}
	}
	out.Text = t.String()
	return out
}

func annotation(r policies.Result, file policies.FileRef) Annotation {
	line := max(file.Line, 1)
	level := "notice"
	switch {
	case r.Status == policies.StatusError || r.Severity == policies.SeverityError:
		level = "failure"
	case r.Severity == policies.SeverityWarning:
		level = "warning"
	}
	return Annotation{Path: file.Path, StartLine: line, EndLine: line, Level: level, Title: r.Rule + ": " + r.Title, Message: r.Message}
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
		fmt.Fprintf(b, "- `%s`: %s\n", codeSpan(loc), Escape(p.Message))
	}
	b.WriteString("\n")
}

// scoreChange says what the pull request does to the repository's score.
func scoreChange(base, head *policies.Evaluation) string {
	if base == nil {
		return ""
	}
	from := fmt.Sprintf("%d/%d", base.Summary.Passed, base.Summary.Applicable)
	to := fmt.Sprintf("%d/%d", head.Summary.Passed, head.Summary.Applicable)
	if from == to {
		return fmt.Sprintf("This pull request keeps the repository at %s.", to)
	}
	return fmt.Sprintf("This pull request takes the repository from %s to %s.", from, to)
}

func statusMark(s policies.Status) string {
	if s == policies.StatusError {
		return "⚠️"
	}
	return "❌"
}

// remediation fills a rule's remediation template with the repository's facts.
// Remediations are authored by the platform team (trusted), but the values come
// from the repository, so they are escaped.
func remediation(r policies.Result, repo string) string {
	if r.Remediation == "" {
		return ""
	}
	name := repo
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.NewReplacer("{{repository}}", Escape(name), "{{full_name}}", Escape(repo)).Replace(strings.TrimSpace(r.Remediation))
}
