package checks

import (
	"fmt"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// Impact is what a proposed configuration would change across an organisation.
type Impact struct {
	Repositories int // evaluated under both configurations
	Unswept      int // without a stored listing yet, left out
	Rules        []RuleImpact
	Aspects      []AspectImpact
}

// RuleImpact is one rule whose outcome or severity changes somewhere.
type RuleImpact struct {
	Rule           string
	From, To       policies.Severity // "" where the rule is not (or no longer) in force
	ToFail, ToPass []string          // repositories, by name
}

// AspectImpact is one aspect whose organisation level or repositories' levels change.
type AspectImpact struct {
	Aspect   string
	From, To int // the organisation's level
	Down, Up []string
}

// namesShown bounds the repositories named per change; the counts are exact.
const namesShown = 20

// ImpactSummary renders an impact for the check of a pull request to the config
// repository: one line per changed rule, a table per aspect, and the repositories
// named in folded sections.
func ImpactSummary(imp *Impact) string {
	var b strings.Builder
	b.WriteString("### Impact on the organisation\n\n")
	fmt.Fprintf(&b, "Re-evaluated %s from their stored listings", plural(imp.Repositories, "repository", "repositories"))
	if imp.Unswept > 0 {
		fmt.Fprintf(&b, " (%s not swept yet left out)", plural(imp.Unswept, "repository", "repositories"))
	}
	b.WriteString(".\n\n")
	if len(imp.Rules) == 0 && len(imp.Aspects) == 0 {
		b.WriteString("No repository would change outcome.\n")
		return b.String()
	}
	for _, r := range imp.Rules {
		fmt.Fprintf(&b, "- %s%s: %s\n", code(r.Rule), severityChange(r.From, r.To), flips(len(r.ToFail), len(r.ToPass)))
	}
	if len(imp.Aspects) > 0 {
		b.WriteString("\n| Aspect | Organisation level | Repositories down | Repositories up |\n|---|---|---:|---:|\n")
		for _, a := range imp.Aspects {
			level := policies.LevelNames[a.From]
			if a.To != a.From {
				level += " → **" + policies.LevelNames[a.To] + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %d |\n", a.Aspect, level, len(a.Down), len(a.Up))
		}
	}
	var names strings.Builder
	for _, r := range imp.Rules {
		writeNames(&names, code(r.Rule)+" would fail", r.ToFail)
		writeNames(&names, code(r.Rule)+" would pass", r.ToPass)
	}
	for _, a := range imp.Aspects {
		writeNames(&names, a.Aspect+" level down", a.Down)
		writeNames(&names, a.Aspect+" level up", a.Up)
	}
	if names.Len() > 0 {
		b.WriteString("\n<details><summary>Which repositories</summary>\n\n")
		b.WriteString(names.String())
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

func severityChange(from, to policies.Severity) string {
	switch {
	case from == to:
		return ""
	case from == "":
		return fmt.Sprintf(" (new, %s)", code(string(to)))
	case to == "":
		return " is no longer in force"
	}
	return " becomes " + code(string(to))
}

func flips(toFail, toPass int) string {
	var parts []string
	if toFail > 0 {
		parts = append(parts, plural(toFail, "repository", "repositories")+" would fail")
	}
	if toPass > 0 {
		parts = append(parts, plural(toPass, "repository", "repositories")+" would pass")
	}
	if len(parts) == 0 {
		return "no repository changes outcome"
	}
	return strings.Join(parts, ", ")
}

func writeNames(b *strings.Builder, label string, names []string) {
	if len(names) == 0 {
		return
	}
	shown := names[:min(len(names), namesShown)]
	quoted := make([]string, len(shown))
	for i, n := range shown {
		quoted[i] = code(n)
	}
	fmt.Fprintf(b, "- %s: %s", label, strings.Join(quoted, ", "))
	if more := len(names) - len(shown); more > 0 {
		fmt.Fprintf(b, " and %d more", more)
	}
	b.WriteString("\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// code quotes untrusted text as a code span.
func code(s string) string { return "`" + codeSpan(s) + "`" }
