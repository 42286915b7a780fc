package report

import (
	"fmt"
	"regexp"
	"strings"

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

func fixBox(label string, n int) string {
	return fmt.Sprintf("- [ ] Open fix pull requests for %s's %s", label, plural(n, "repository", "repositories"))
}

var fixTicked = regexp.MustCompile(`^- \[[xX]\] Open fix pull requests for (.+)'s [0-9,]+ repositor(?:y|ies)$`)

// FixTeamsRequested lists the labels of the teams whose checkbox is ticked in
// an issue body.
func FixTeamsRequested(body string) []string {
	var out []string
	for line := range strings.Lines(body) {
		if m := fixTicked.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// writeFixTeams renders a checkbox per team, with its progress.
func writeFixTeams(b *strings.Builder, teams []FixTeam) {
	for _, t := range teams {
		label := FixLabel(t.Team)
		b.WriteString(fixBox(label, t.Repositories) + "\n")
		if p := t.Progress; p != nil {
			fmt.Fprintf(b, "  - last request: %s of %s done", count(p.Done), count(p.Total))
			if p.Failed > 0 {
				fmt.Fprintf(b, ", %s failed (%s)", count(p.Failed), markdown.Text(p.Problem))
			}
			b.WriteString("\n")
		}
	}
	if len(teams) > 0 {
		b.WriteString("\n")
	}
}
