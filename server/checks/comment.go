package checks

import (
	"fmt"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// NeedsComment reports whether an evaluation deserves a new sticky comment: an
// error or warning rule fails. An existing comment is always kept up to date.
func NeedsComment(ev *policies.Evaluation) bool {
	for _, r := range ev.Results {
		if (r.Status == policies.StatusFail || r.Status == policies.StatusError) && r.Severity != policies.SeverityInfo {
			return true
		}
	}
	return len(ev.Problems) > 0
}

// CommentBody renders the sticky comment: what fails, why, and a fix to paste; or an
// all-clear once nothing does.
func CommentBody(ev *policies.Evaluation, f Facts) string {
	var b strings.Builder
	b.WriteString(CommentMarker + "\n")
	failing := 0
	for _, r := range ev.Results {
		if r.Status == policies.StatusFail || r.Status == policies.StatusError {
			failing++
		}
	}
	if failing == 0 && len(ev.Problems) == 0 {
		fmt.Fprintf(&b, "### ✅ Golden Path: all %d rules pass\n\n", ev.Summary.Applicable)
		if line := scoreChange(f.Base, ev); line != "" {
			b.WriteString(line + "\n\n")
		}
		b.WriteString("Thank you for keeping this repository on the golden path.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "### Golden Path: %s\n\n", Title(ev.Summary))
	if line := scoreChange(f.Base, ev); line != "" {
		b.WriteString(line + "\n\n")
	}
	writeProblems(&b, ev.Problems)
	if failing > 0 {
		b.WriteString("| | Rule | Severity | What is missing |\n|---|---|---|---|\n")
		for _, r := range ev.Results {
			if r.Status != policies.StatusFail && r.Status != policies.StatusError {
				continue
			}
			msg, _, _ := strings.Cut(r.Message, "\n")
			fmt.Fprintf(&b, "| %s | `%s` %s | %s | %s |\n", statusMark(r.Status), r.Rule, Escape(r.Title), r.Severity, Escape(msg))
		}
		b.WriteString("\n")
		for _, r := range ev.Results {
			if r.Status != policies.StatusFail {
				continue
			}
			if fix := remediation(r, f.Repository); fix != "" {
				fmt.Fprintf(&b, "<details><summary>How to fix <code>%s</code></summary>\n\n%s\n\n</details>\n\n", r.Rule, fix)
			}
		}
	}
	mode := "This check is advisory: it does not block merging."
	if f.Blocking {
		mode = "Error-severity rules block merging."
	}
	b.WriteString(mode + " This comment is updated on every push.\n")
	return b.String()
}
