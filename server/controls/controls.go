// Package controls names what Golden Path offers people to press on GitHub and
// recognises their presses: the check run's "Fix it for me" button and the report
// issue's checkboxes. Rendering (server/checks, server/report) and webhook routing
// share it; it is a leaf so that routing links neither the report nor the engine.
package controls

import (
	"regexp"
	"strings"
)

// FixActionID identifies the check run's "Fix it for me" button (what the
// check_run requested_action event carries).
const FixActionID = "fix"

// FixBranch is the branch of the app's fix pull request; routing recognises
// the pull request's events by it.
const FixBranch = "golden-path/fixes"

// The report issue, as PRODUCT.md fixes it.
const (
	// Marker starts the body of the organisation's one report issue.
	Marker = "<!-- goldenpath:report -->"
	// RescanUnchecked is the checkbox line every rendered body carries; ticking it
	// asks for a sweep.
	RescanUnchecked = "- [ ] Re-scan all repositories now"
	// RescanChecked is the same line once ticked on GitHub.
	RescanChecked = "- [x] Re-scan all repositories now"
)

// RescanRequested reports whether the re-scan checkbox is ticked ([x] or [X]) in an
// issue body.
func RescanRequested(body string) bool {
	for line := range strings.Lines(body) {
		switch strings.TrimSpace(line) {
		case RescanChecked, "- [X]" + strings.TrimPrefix(RescanChecked, "- [x]"):
			return true
		}
	}
	return false
}

// fixTicked is a team's checkbox (rendered by the report as "- [ ] Open fix pull
// requests for <label>'s N repositories") once ticked.
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
