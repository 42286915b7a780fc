package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/markdown"
)

// FixTeam is a team whose fix pull requests the report offers to open (when
// fixes.enabled): its repositories failing a rule, and its last request's progress.
type FixTeam struct {
	Team         string       `json:"team"`
	Repositories int          `json:"repositories"`
	Progress     *FixProgress `json:"progress,omitempty"`
}

// FixProgress is how far a team's request for fix pull requests got.
type FixProgress struct {
	Total   int    `json:"total"`
	Done    int    `json:"done"`
	Failed  int    `json:"failed"`
	Problem string `json:"problem,omitempty"`
}

// FixLabel is the team as its checkbox names it (inert Markdown); a ticked box
// carries it back.
func FixLabel(team string) string { return markdown.Text(team) }

// fixBox is a team's checkbox; controls.FixTeamsRequested reads it back once ticked.
func fixBox(label string, n int) string {
	return fmt.Sprintf("- [ ] Open fix pull requests for %s's %s", label, markdown.Plural(n, "repository", "repositories"))
}

// writeFixTeams renders a checkbox per team, with its progress.
func writeFixTeams(b *strings.Builder, teams []FixTeam) {
	for _, t := range teams {
		label := FixLabel(t.Team)
		b.WriteString(fixBox(label, t.Repositories) + "\n")
		if p := t.Progress; p != nil {
			fmt.Fprintf(b, "  - last request: %s of %s done", markdown.Count(p.Done), markdown.Count(p.Total))
			if p.Failed > 0 {
				fmt.Fprintf(b, ", %s failed (%s)", markdown.Count(p.Failed), markdown.Text(p.Problem))
			}
			b.WriteString("\n")
		}
	}
	if len(teams) > 0 {
		b.WriteString("\n")
	}
}

// Teams are the owners an evaluation counts for: its components' owners, or
// the repository's owner when it is one component; "" for none.
func Teams(ev *policies.Evaluation) []string {
	if len(ev.Components) <= 1 {
		return []string{ev.Owner}
	}
	var out []string
	for _, c := range ev.Components {
		if !slices.Contains(out, c.Owner) {
			out = append(out, c.Owner)
		}
	}
	return out
}
