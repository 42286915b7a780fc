package checks

import (
	"fmt"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/markdown"
)

// Impact is what a proposed configuration would change across an organisation.
type Impact struct {
	Repositories int // evaluated under both configurations
	Unswept      int // without a stored listing yet, left out
	// Enforcement is set when the mode changes; then EnforcementChecks are the
	// checks that change because of the mode alone (the proposed rules under both).
	Enforcement       *ModeChange
	EnforcementChecks []CheckChange
	// Checks are all the repositories whose check conclusion would change.
	Checks  []CheckChange
	Rules   []RuleImpact
	Aspects []AspectImpact
}

// ModeChange is a change of enforcement, advisory or blocking.
type ModeChange struct{ From, To string }

// CheckChange is the repositories whose check conclusion goes From → To
// (success, neutral, failure).
type CheckChange struct {
	From, To     string
	Repositories []string
}

// RuleImpact is one rule whose outcome or severity changes somewhere.
type RuleImpact struct {
	Rule           string
	From, To       policies.Severity // "" where the rule is not (or no longer) in force
	ToFail, ToPass []string          // repositories, by name
	// Failing are the repositories that fail the rule under both configurations
	// while its severity changes: their severity-weighted score moves.
	Failing []string
	// Checks are the repositories failing the rule (before or after) whose check
	// conclusion changes.
	Checks []CheckChange
}

// AspectImpact is one aspect whose organisation level or repositories' levels change.
type AspectImpact struct {
	Aspect   string
	From, To int // the organisation's level
	// Assessed is the highest level at which some rule applies under the proposed
	// configuration: levels above it are not assessed.
	Assessed int
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
	fmt.Fprintf(&b, "Re-evaluated %s from their stored listings", markdown.Plural(imp.Repositories, "repository", "repositories"))
	if imp.Unswept > 0 {
		fmt.Fprintf(&b, " (%s not swept yet left out)", markdown.Plural(imp.Unswept, "repository", "repositories"))
	}
	b.WriteString(".\n\n")
	if imp.Enforcement != nil {
		fmt.Fprintf(&b, "- %s becomes %s: %s\n", code("enforcement"), code(imp.Enforcement.To), enforcementEffect(imp.Enforcement.To, imp.EnforcementChecks))
	}
	if len(imp.Rules) == 0 && len(imp.Aspects) == 0 && len(imp.Checks) == 0 {
		b.WriteString("No repository would change outcome.\n")
		return b.String()
	}
	for _, r := range imp.Rules {
		fmt.Fprintf(&b, "- %s%s: %s\n", code(r.Rule), severityChange(r.From, r.To), ruleEffect(r))
	}
	if len(imp.Checks) > 0 {
		fmt.Fprintf(&b, "\n**Checks:** %s.\n", transitions(imp.Checks))
	} else {
		b.WriteString("\nNo repository's check conclusion changes.\n")
	}
	if len(imp.Aspects) > 0 {
		b.WriteString("\n| Aspect | Organisation level | Repositories down | Repositories up |\n|---|---|---:|---:|\n")
		for _, a := range imp.Aspects {
			level := policies.LevelNames[a.From]
			if a.To != a.From {
				level += " → **" + policies.LevelNames[a.To] + "**"
			}
			switch {
			case a.Assessed == 0:
				level += " (no level assessed)"
			case a.Assessed < 4:
				level += " (not assessed above " + policies.LevelNames[a.Assessed] + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %d |\n", a.Aspect, level, len(a.Down), len(a.Up))
		}
	}
	var names strings.Builder
	for _, c := range imp.Checks {
		writeNames(&names, "check "+c.From+" → "+c.To, c.Repositories)
	}
	for _, r := range imp.Rules {
		writeNames(&names, code(r.Rule)+" would fail", r.ToFail)
		writeNames(&names, code(r.Rule)+" would pass", r.ToPass)
		writeNames(&names, code(r.Rule)+" fails, now at "+code(string(r.To)), r.Failing)
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

// ruleEffect says what a rule's change does to people: whose outcome flips,
// whose score moves with the severity, and whose check turns.
func ruleEffect(r RuleImpact) string {
	var parts []string
	if n := len(r.ToFail); n > 0 {
		parts = append(parts, markdown.Plural(n, "repository", "repositories")+" would fail")
	}
	if n := len(r.ToPass); n > 0 {
		parts = append(parts, markdown.Plural(n, "repository", "repositories")+" would pass")
	}
	if n := len(r.Failing); n > 0 {
		parts = append(parts, markdown.Plural(n, "repository fails", "repositories fail")+" it, now at "+code(string(r.To)))
	}
	if len(parts) == 0 {
		return "no repository changes outcome"
	}
	s := strings.Join(parts, ", ")
	if len(r.Checks) > 0 {
		s += ": " + theirChecks(r.Checks)
	}
	return s
}

// enforcementEffect says which checks a change of mode turns.
func enforcementEffect(to string, changes []CheckChange) string {
	if len(changes) == 0 {
		if to == "blocking" {
			return "no check changes (no repository fails an error-severity rule)"
		}
		return "no check changes"
	}
	return theirChecks(changes)
}

// theirChecks reads "their checks go from neutral to failure" when every
// repository concerned turns the same way, else lists the transitions.
func theirChecks(changes []CheckChange) string {
	if len(changes) == 1 {
		c := changes[0]
		if len(c.Repositories) == 1 {
			return fmt.Sprintf("1 repository's check goes from %s to %s", c.From, c.To)
		}
		return fmt.Sprintf("%d repositories' checks go from %s to %s", len(c.Repositories), c.From, c.To)
	}
	return "checks change: " + transitions(changes)
}

// transitions lists check changes as "4 repositories go from neutral to failure,
// 1 repository goes from success to neutral".
func transitions(changes []CheckChange) string {
	parts := make([]string, len(changes))
	for i, c := range changes {
		verb := " go"
		if len(c.Repositories) == 1 {
			verb = " goes"
		}
		parts[i] = markdown.Plural(len(c.Repositories), "repository", "repositories") + verb + " from " + c.From + " to " + c.To
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

// code quotes untrusted text as a code span.
func code(s string) string { return markdown.Code(s) }
