package checks

import (
	"fmt"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/markdown"
)

// NeedsComment reports whether an evaluation deserves a new sticky comment: an
// error or warning rule fails. An existing comment is always kept up to date.
func NeedsComment(ev *policies.Evaluation) bool {
	for _, r := range ev.Results {
		if failing(r) && r.Severity != policies.SeverityInfo {
			return true
		}
	}
	return len(ev.Problems) > 0
}

// CommentBody renders the sticky comment: what this pull request changes against
// its base, then what still fails, most severe first, with a fix to paste; or an
// all-clear once nothing fails.
func CommentBody(ev *policies.Evaluation, f Facts) string {
	var b strings.Builder
	b.WriteString(CommentMarker + "\n")
	fails := failures(ev)
	if len(fails) == 0 && len(ev.Problems) == 0 {
		fmt.Fprintf(&b, "### ✅ Golden Path: all %d rules pass\n\n", ev.Summary.Applicable)
		writeChange(&b, f.Base, ev)
		b.WriteString("Thank you for keeping this repository on the golden path.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "### Golden Path: %s\n\n", Title(ev.Summary))
	writeChange(&b, f.Base, ev)
	writeProblems(&b, ev.Problems)
	if len(fails) > 0 {
		b.WriteString("**Failing**, most severe first:\n\n")
		for _, g := range failureGroups(f.Base, ev) {
			if g.heading != "" {
				fmt.Fprintf(&b, "#### %s\n\n", g.heading)
			}
			b.WriteString("| | Rule | Severity | What is missing |\n|---|---|---|---|\n")
			for _, r := range g.fails {
				msg, _, _ := strings.Cut(r.Message, "\n")
				fmt.Fprintf(&b, "| %s | %s %s | %s | %s |\n", mark(r), markdown.Code(r.Rule), markdown.Text(r.Title), severityWord(r), markdown.Text(msg))
			}
			b.WriteString("\n")
		}
		for _, r := range fails {
			if r.Status != policies.StatusFail {
				continue
			}
			if how := howToFix(r, f); how != "" {
				fmt.Fprintf(&b, "<details><summary>How to fix <code>%s</code></summary>\n\n%s\n\n</details>\n\n", markdown.Text(r.Rule), how)
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
