package report

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/markdown"
)

// The report issue, as PRODUCT.md fixes it.
const (
	// Title is the report issue's title.
	Title = "Golden Path adoption report"
	// Label is the report issue's label.
	Label = "golden-path"
)

// DefaultLimit keeps a body clear of GitHub's 65,536-character limit on issue bodies.
const DefaultLimit = 60000

// MarkdownOptions tune the issue body.
type MarkdownOptions struct {
	// APIURL links to the JSON report, where sections cut for length are whole. When
	// empty the note names the API path instead.
	APIURL string
	// Limit is the body's maximum length in bytes (never fewer than the characters
	// GitHub counts); 0 means DefaultLimit.
	Limit int
	// WebURL is GitHub's web address ("https://github.com"): repositories and teams
	// link there. When empty they are plain text.
	WebURL string
}

// Rendering limits.
const (
	// foldRows is the row count above which a table folds into <details>.
	foldRows = 25
	// maxRuleDeltas is how many rule pass-rate changes the trend lists.
	maxRuleDeltas = 10
	// maxMatches is how many matching repositories an exemption row names.
	maxMatches = 5
	// Untrusted text is shortened to these many characters before escaping.
	maxName   = 100
	maxReason = 200
)

// Markdown renders the report issue body: marker, headline, re-scan checkbox, then
// maturity, compliance per rule, trend, teams, furthest repositories and exemptions.
// Repository-provided text is escaped so it cannot mention, inject HTML or break a
// table. When the body would reach opts.Limit, the longest cuttable tables lose rows
// from the end, with a note pointing at the JSON API.
func Markdown(r *Report, opts MarkdownOptions) string {
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	w := &writer{r: r, opts: opts}
	secs := []*section{w.headline()}
	if len(r.Problems) > 0 {
		secs = append(secs, w.problems())
	}
	if len(r.Partial) > 0 {
		secs = append(secs, w.partial())
	}
	if len(r.Unjudged) > 0 {
		secs = append(secs, w.unjudged())
	}
	if r.Repositories == 0 {
		secs = append(secs, &section{pre: "_No repository has been scored yet: the report fills in after the first sweep._\n\n"})
	} else {
		secs = append(secs, w.maturity(), w.rules(), w.trend(), w.teams(), w.furthest())
	}
	secs = append(secs, w.exemptions()...)
	return w.fit(secs, limit)
}

type writer struct {
	r    *Report
	opts MarkdownOptions
}

// section is a piece of the body; a section with a noun is a table whose rows can be
// cut from the end.
type section struct {
	pre   string // heading, text, table header
	rows  []string
	post  string
	noun  string // what the rows are, plural, for the cut note
	shown int
	size  int // length as rendered with shown rows
}

func (w *writer) headline() *section {
	r := w.r
	var b strings.Builder
	b.WriteString(controls.Marker + "\n")
	fmt.Fprintf(&b, "**%s**: %s scored (%s) · updated %s\n\n", text(r.Org, maxName), markdown.Plural(r.Repositories, "repository", "repositories"),
		markdown.Plural(r.Components, "component", "components"), stamp(r.GeneratedAt))
	b.WriteString(controls.RescanUnchecked + "\n\n")
	writeFixTeams(&b, r.FixTeams)
	if r.Repositories > 0 {
		fmt.Fprintf(&b, "✅ **%s of %s** repositories (%s) pass every error-severity rule · 📋 **%s** of applicable rule results pass · mean score **%.1f**/100\n",
			markdown.Count(r.Passing), markdown.Count(r.Repositories), pct(float64(r.Passing)/float64(r.Repositories)), pct(r.Compliance), r.MeanScore)
	}
	if s := r.Sweep; s != nil {
		switch {
		case s.StartedAt.IsZero():
			b.WriteString("🔄 Last sweep: ")
		case s.FinishedAt.IsZero():
			fmt.Fprintf(&b, "🔄 Sweep in progress since %s · ", stamp(s.StartedAt))
		default:
			fmt.Fprintf(&b, "🔄 Last sweep: %s to %s (%s) · ", stamp(s.StartedAt), stamp(s.FinishedAt), s.FinishedAt.Sub(s.StartedAt).Round(time.Second))
		}
		fmt.Fprintf(&b, "%s · %s evaluated · %s unchanged\n", markdown.Plural(s.Repositories, "repository", "repositories"), markdown.Count(s.Evaluated), markdown.Count(s.Unchanged))
		if s.Waiting > 0 {
			fmt.Fprintf(&b, "⏸️ %s waiting for GitHub's rate limit until %s\n",
				markdown.Plural(s.Waiting, "repository", "repositories"), s.WaitingUntil.UTC().Format("15:04 UTC"))
		}
	}
	if n := len(r.Unjudged); n > 0 {
		fmt.Fprintf(&b, "⚠️ %s could not be judged (see below)\n", markdown.Plural(n, "repository", "repositories"))
	}
	if r.NotEvaluated > 0 {
		fmt.Fprintf(&b, "⏳ %s not evaluated yet\n", markdown.Plural(r.NotEvaluated, "repository", "repositories"))
	}
	b.WriteString("\n")
	return &section{pre: b.String()}
}

func (w *writer) maturity() *section {
	var b strings.Builder
	b.WriteString("### Maturity per aspect\n\n")
	fmt.Fprintf(&b, "A level counts when at least %s of the components assessed at that level pass every rule of that level and of the assessed levels below (a repository without catalog Components is one component). A level at which no rule applies is not assessed (➖): it is stepped over, and no aspect or component is placed above its highest assessed level. The share columns say where each component stands on its own.\n\n", pct(w.r.Threshold))
	b.WriteString("| Aspect | Level reached | Components |")
	for _, name := range policies.LevelNames {
		b.WriteString(" " + name + " |")
	}
	b.WriteString("\n|---|---|--:|" + strings.Repeat("--:|", len(policies.LevelNames)) + "\n")
	for _, a := range w.r.Aspects {
		if a.Repositories == 0 {
			b.WriteString(row(a.Aspect, levelBar(0, a.Assessed)+" no rule applies", "0") + strings.Repeat(" — |", len(policies.LevelNames)) + "\n")
			continue
		}
		cells := []string{a.Aspect, levelBar(a.Level, a.Assessed) + " **" + a.LevelName + "**", markdown.Count(a.Repositories)}
		for l, share := range a.Shares {
			if l > 0 && !a.Assessed[l] {
				cells = append(cells, "not assessed")
				continue
			}
			cells = append(cells, pct(share))
		}
		b.WriteString(row(cells...) + "\n")
	}
	b.WriteString("\n")
	return &section{pre: b.String()}
}

func (w *writer) rules() *section {
	rules := w.r.Rules
	s := &section{noun: "rules"}
	for _, rc := range rules {
		name := code(rc.Rule)
		if rc.Title != "" && rc.Title != rc.Rule {
			name += " " + text(rc.Title, maxName)
		}
		rate := "— not applicable"
		if rc.Applicable > 0 {
			rate = bar(rc.PassRate) + " " + pct(rc.PassRate)
		}
		s.rows = append(s.rows, row(name, fmt.Sprintf("%s L%d", text(rc.Aspect, maxName), rc.Level), severity(rc.Severity), rate,
			markdown.Count(rc.Pass), markdown.Count(rc.Fail), markdown.Count(rc.Error), markdown.Count(rc.Exempt), markdown.Count(rc.NotApplicable))+"\n")
	}
	s.pre = "### Compliance per rule\n\nMost severe first, then worst first. The pass rate is over the repositories a repository rule applies to, and over the components a component rule applies to; exempted ones are counted apart.\n\n" +
		fold(len(rules), "rules") +
		"| Rule | Aspect | Severity | Pass rate | Pass | Fail | Error | Exempt | N/A |\n|---|---|---|---|--:|--:|--:|--:|--:|\n"
	s.post = unfold(len(rules))
	if len(rules) == 0 {
		s.pre, s.post = "### Compliance per rule\n\n_No rule results yet._\n\n", ""
	}
	return s
}

func (w *writer) trend() *section {
	t := w.r.Trend
	var b strings.Builder
	b.WriteString("### Trend\n\n")
	if len(t.Points) >= 2 {
		b.WriteString(trendChart(t.Points))
	}
	d := t.Delta
	if d == nil {
		b.WriteString("_No earlier sweep to compare with yet._\n\n")
		return &section{pre: b.String()}
	}
	prev := t.Previous
	fmt.Fprintf(&b, "Since the previous sweep (%s):\n\n", stamp(d.Since))
	switch {
	case d.Passing > 0:
		fmt.Fprintf(&b, "- ▲ %s every error-severity rule (%s → %s)\n", markdown.Plural(d.Passing, "more repository passes", "more repositories pass"), markdown.Count(prev.Passing), markdown.Count(w.r.Passing))
	case d.Passing < 0:
		fmt.Fprintf(&b, "- ▼ %s every error-severity rule (%s → %s)\n", markdown.Plural(-d.Passing, "fewer repository passes", "fewer repositories pass"), markdown.Count(prev.Passing), markdown.Count(w.r.Passing))
	default:
		fmt.Fprintf(&b, "- ＝ %s every error-severity rule, as before\n", markdown.Plural(w.r.Passing, "repository passes", "repositories pass"))
	}
	fmt.Fprintf(&b, "- %s compliance %s → %s\n", arrow(pct(prev.Compliance) != pct(w.r.Compliance), d.Compliance), pct(prev.Compliance), pct(w.r.Compliance))
	if d.Repositories != 0 {
		fmt.Fprintf(&b, "- repositories: %s → %s\n", markdown.Count(prev.Repositories), markdown.Count(prev.Repositories+d.Repositories))
	}
	for _, l := range d.Levels {
		if l.Before != l.After {
			fmt.Fprintf(&b, "- %s %s: %s → %s\n", arrow(true, float64(l.After-l.Before)), l.Aspect, levelName(l.Before), levelName(l.After))
		}
	}
	shown, more := 0, 0
	for _, rc := range d.Rules {
		before, after := pct(rc.Before), pct(rc.After)
		if before == after {
			continue
		}
		if shown == maxRuleDeltas {
			more++
			continue
		}
		shown++
		fmt.Fprintf(&b, "- %s %s %s → %s\n", arrow(true, rc.After-rc.Before), code(rc.Rule), before, after)
	}
	if more > 0 {
		fmt.Fprintf(&b, "- and %s\n", markdown.Plural(more, "more rule moved", "more rules moved"))
	}
	b.WriteString("\n")
	return &section{pre: b.String()}
}

// trendSeries are the chart's lines: overall compliance, then each aspect, each
// with a colour that reads on GitHub's light and dark themes alike and the square
// of the legend that names it (Mermaid's xychart draws no legend of its own).
var trendSeries = []struct{ name, colour, square string }{
	{"overall", "#2f81f7", "🟦"},
	{"investment", "#8957e5", "🟪"},
	{"adoption", "#2da44e", "🟩"},
	{"interfaces", "#e16f24", "🟧"},
	{"operations", "#cf222e", "🟥"},
	{"measurement", "#9a6700", "🟫"},
}

// trendChart draws compliance over the sweeps, overall and per aspect, on a
// y-range fitted to the values so that movement shows. An aspect is drawn when
// every sweep recorded it (older records lack aspects).
func trendChart(points []TrendPoint) string {
	value := func(p TrendPoint, series string) (float64, bool) {
		if series == "overall" {
			return p.Compliance, true
		}
		v, ok := p.Aspects[series]
		return v, ok
	}
	var colours, lines, legend []string
	lo, hi := 100.0, 0.0
	for _, s := range trendSeries {
		values := make([]string, 0, len(points))
		for _, p := range points {
			v, ok := value(p, s.name)
			if !ok {
				break
			}
			pctv := math.Round(v*1000) / 10
			lo, hi = min(lo, pctv), max(hi, pctv)
			values = append(values, strconv.FormatFloat(pctv, 'f', -1, 64))
		}
		if len(values) < len(points) {
			continue
		}
		colours = append(colours, s.colour)
		lines = append(lines, "    line ["+strings.Join(values, ", ")+"]\n")
		legend = append(legend, s.square+" "+s.name)
	}
	// A margin of five points, on multiples of five, at least 20 points tall.
	lo, hi = max(0, math.Floor(lo/5)*5-5), min(100, math.Ceil(hi/5)*5+5)
	for hi-lo < 20 {
		lo, hi = max(0, lo-5), min(100, hi+5)
	}
	labels := make([]string, len(points))
	for i, p := range points {
		labels[i] = strconv.Quote(p.At.UTC().Format("01-02 15:04"))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "```mermaid\n%%%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"%s\"}}}}%%%%\nxychart-beta\n", strings.Join(colours, ", "))
	fmt.Fprintf(&b, "    title \"Compliance over the last %d sweeps (%%)\"\n", len(points))
	fmt.Fprintf(&b, "    x-axis [%s]\n", strings.Join(labels, ", "))
	fmt.Fprintf(&b, "    y-axis \"Compliance (%%)\" %s --> %s\n", strconv.FormatFloat(lo, 'f', -1, 64), strconv.FormatFloat(hi, 'f', -1, 64))
	for _, l := range lines {
		b.WriteString(l)
	}
	b.WriteString("```\n\n" + strings.Join(legend, " · ") + "\n\n")
	return b.String()
}

func (w *writer) problems() *section {
	list := w.r.Problems
	s := &section{noun: "problems"}
	for _, p := range list {
		where := p.Source
		if p.Line > 0 {
			where += ":" + strconv.Itoa(p.Line)
		}
		s.rows = append(s.rows, row(code(where), text(p.Message, maxReason), names(p.Repositories))+"\n")
	}
	s.pre = "### ⚠️ Configuration problems\n\nThe last valid configuration keeps applying, and the other rules keep running, until these are fixed.\n\n" +
		fold(len(list), "problems") +
		"| Where | Problem | Reported on |\n|---|---|---|\n"
	s.post = unfold(len(list))
	return s
}

func (w *writer) unjudged() *section {
	return w.reasons("### ⚠️ Not judged\n\nThe last sweep could not judge these repositories; they keep their last evaluation, if any, and the next sweep tries again.\n\n", w.r.Unjudged)
}

func (w *writer) partial() *section {
	return w.reasons("### ⚠️ Partially evaluated\n\nJudged on what was read: a rule that would fail there but whose evidence may be in what was not read is *not judged*, counted neither as failing nor in the score.\n\n", w.r.Partial)
}

// reasons is a table of repositories and why they are singled out.
func (w *writer) reasons(intro string, list []RepoReason) *section {
	s := &section{noun: "repositories"}
	for _, r := range list {
		s.rows = append(s.rows, row(w.repoLink(r.Repository), text(r.Reason, maxReason))+"\n")
	}
	s.pre = intro + fold(len(list), "repositories") + "| Repository | Why |\n|---|---|\n"
	s.post = unfold(len(list))
	return s
}

func (w *writer) teams() *section {
	teams := w.r.Teams
	s := &section{noun: "teams"}
	for _, t := range teams {
		worst := make([]string, len(t.WorstRules))
		for i, rf := range t.WorstRules {
			worst[i] = fmt.Sprintf("%s (%s)", code(rf.Rule), markdown.Count(rf.Failures))
		}
		s.rows = append(s.rows, row(w.ownerLink(t.Owner), markdown.Count(t.Repositories), markdown.Count(t.Components),
			fmt.Sprintf("%s (%s)", markdown.Count(t.Passing), pct(float64(t.Passing)/float64(t.Repositories))),
			fmt.Sprintf("%.1f", t.MeanScore), orDash(strings.Join(worst, ", ")))+"\n")
	}
	s.pre = "### Teams\n\nLargest first. A team owns components: the catalog's `spec.owner`, else the first CODEOWNERS owner of the component's directory. A repository counts once for each team owning a component of it, judged on that team's components and the repository rules.\n\n" +
		fold(len(teams), "teams") +
		"| Team | Repositories | Components | Passing | Mean score | Most failed rules |\n|---|--:|--:|--:|--:|---|\n"
	s.post = unfold(len(teams))
	return s
}

func (w *writer) furthest() *section {
	list := w.r.Furthest
	s := &section{noun: "repositories"}
	if len(list) == 0 {
		s.pre = "### Furthest from the path\n\n🎉 No repository fails a rule.\n\n"
		return s
	}
	for i, f := range list {
		failing := make([]string, len(f.Failing))
		for j, id := range f.Failing {
			failing[j] = code(id)
		}
		name := w.repoLink(f.Repository)
		if f.Partial {
			name += " ⚠️ partial"
		}
		s.rows = append(s.rows, row(strconv.Itoa(i+1), name, w.ownerLink(f.Owner),
			fmt.Sprintf("%.1f", f.Score), markdown.Count(f.ErrorFailures), orDash(strings.Join(failing, " ")))+"\n")
	}
	s.pre = "### Furthest from the path\n\nLowest score first, then most failing error-severity rules.\n\n" +
		fold(len(list), "repositories") +
		"| # | Repository | Team | Score | Error failures | Failing rules |\n|--:|---|---|--:|--:|---|\n"
	s.post = unfold(len(list))
	return s
}

func (w *writer) exemptions() []*section {
	r := w.r
	s := &section{noun: "exemptions"}
	if len(r.Exemptions) == 0 {
		s.pre = "### Exemptions\n\n_The organisation's golden-path.yaml grants no exemption._\n\n"
	}
	today := r.GeneratedAt.Truncate(24 * time.Hour)
	for _, e := range r.Exemptions {
		status, expires := "✅ active", "never"
		if e.Expires != "" {
			expires = e.Expires
			if e.Expired {
				status = "⚠️ **expired**"
			} else if day, err := time.Parse(time.DateOnly, e.Expires); err == nil && day.Sub(today) <= 30*24*time.Hour {
				status = fmt.Sprintf("⏳ %s left", markdown.Plural(int(day.Sub(today)/(24*time.Hour))+1, "day", "days"))
			}
		}
		globs := make([]string, len(e.Repositories))
		for i, g := range e.Repositories {
			globs[i] = code(g)
		}
		rules := make([]string, len(e.Rules))
		for i, id := range e.Rules {
			rules[i] = code(id)
		}
		s.rows = append(s.rows, row(status, orDash(strings.Join(globs, " ")), orDash(strings.Join(rules, " ")),
			text(e.Reason, maxReason), expires, names(e.Matches))+"\n")
	}
	if len(r.Exemptions) > 0 {
		s.pre = "### Exemptions\n\nFrom the organisation's golden-path.yaml. An expired exemption no longer applies.\n\n" +
			fold(len(r.Exemptions), "exemptions") +
			"| Status | Repositories | Rules | Reason | Expires | Matching repositories |\n|---|---|---|---|---|---|\n"
		s.post = unfold(len(r.Exemptions))
	}
	out := []*section{s}

	if len(r.ExpiredRepositoryExemptions) > 0 {
		x := &section{noun: "expired exemptions"}
		for _, e := range r.ExpiredRepositoryExemptions {
			x.rows = append(x.rows, row("⚠️ "+code(e.Rule), text(e.Reason, maxReason), text(e.Expires, maxName), names(e.Repositories))+"\n")
		}
		x.pre = "#### ⚠️ Expired exemptions still recorded on repositories\n\nRepositories' own exemptions (or ones since removed from the org file) that have expired: the rules apply again.\n\n" +
			fold(len(r.ExpiredRepositoryExemptions), "expired exemptions") +
			"| Rule | Reason | Expired after | Repositories |\n|---|---|---|---|\n"
		x.post = unfold(len(r.ExpiredRepositoryExemptions))
		out = append(out, x)
	}
	return out
}

// fit renders the sections, cutting rows from the end of the longest cuttable table
// until the body is shorter than limit.
func (w *writer) fit(secs []*section, limit int) string {
	total := 0
	for _, s := range secs {
		s.shown = len(s.rows)
		s.size = len(s.pre) + len(s.post)
		for _, row := range s.rows {
			s.size += len(row)
		}
		total += s.size
	}
	for total >= limit {
		var longest *section
		for _, s := range secs {
			if s.noun != "" && s.shown > 1 && (longest == nil || s.size > longest.size) {
				longest = s
			}
		}
		if longest == nil {
			break
		}
		before := longest.size
		longest.size -= len(w.cutNote(longest)) // the note changes with the count
		longest.shown--
		longest.size += len(w.cutNote(longest)) - len(longest.rows[longest.shown])
		total += longest.size - before
	}

	var b strings.Builder
	b.Grow(total)
	for _, s := range secs {
		b.WriteString(s.pre)
		for _, row := range s.rows[:s.shown] {
			b.WriteString(row)
		}
		b.WriteString(w.cutNote(s))
		b.WriteString(s.post)
	}
	body := b.String()
	if len(body) >= limit {
		// Only a tiny limit gets here: keep whole lines and say so.
		trailer := "\n_The report was cut to fit in an issue: " + w.apiRef() + " has all of it._\n"
		end := max(0, limit-1-len(trailer))
		end = strings.LastIndexByte(body[:end], '\n') + 1
		body = body[:end] + trailer
		if len(body) >= limit {
			body = body[:max(0, strings.LastIndexByte(body[:max(0, limit-1)], '\n'))]
		}
	}
	return body
}

// cutNote is the note under a table that lost rows, or "".
func (w *writer) cutNote(s *section) string {
	if s.shown == len(s.rows) {
		return ""
	}
	return fmt.Sprintf("\n_Showing %s of %s %s to fit in an issue: %s has them all._\n", markdown.Count(s.shown), markdown.Count(len(s.rows)), s.noun, w.apiRef())
}

func (w *writer) apiRef() string {
	if u := strings.Map(func(r rune) rune {
		if r == '<' || r == '>' || r == '\n' || r == '\r' || r == ' ' {
			return -1
		}
		return r
	}, w.opts.APIURL); u != "" {
		return "the [JSON report](<" + u + ">)"
	}
	return "the JSON API (" + code("GET /api/v1/orgs/"+w.r.Org+"/report") + ")"
}

// fold opens <details> around a table of more than foldRows rows.
func fold(rows int, noun string) string {
	if rows <= foldRows {
		return ""
	}
	return fmt.Sprintf("<details><summary>%s %s</summary>\n\n", markdown.Count(rows), noun)
}

func unfold(rows int) string {
	if rows <= foldRows {
		return "\n"
	}
	return "\n</details>\n\n"
}

// repoLink links a repository of the organisation to GitHub. GitHub allows only
// letters, digits, '.', '-' and '_' in a name; anything else stays plain text.
func (w *writer) repoLink(name string) string {
	if w.opts.WebURL == "" || !githubName(name) {
		return text(name, maxName)
	}
	return "[" + text(name, maxName) + "](" + strings.TrimSuffix(w.opts.WebURL, "/") + "/" + url.PathEscape(w.r.Org) + "/" + name + ")"
}

// ownerLink links a CODEOWNERS-style owner to GitHub: "@org/team" to the team,
// "@user" to the user; the link text drops the "@" so nobody is pinged. Other
// owners (a catalog's "group:payments") are plain text.
func (w *writer) ownerLink(owner string) string {
	rest, ok := strings.CutPrefix(owner, "@")
	if w.opts.WebURL == "" || !ok {
		return text(owner, maxName)
	}
	base := strings.TrimSuffix(w.opts.WebURL, "/")
	if org, team, isTeam := strings.Cut(rest, "/"); isTeam && githubName(org) && githubName(team) {
		return "[" + text(rest, maxName) + "](" + base + "/orgs/" + org + "/teams/" + team + ")"
	}
	if githubName(rest) {
		return "[" + text(rest, maxName) + "](" + base + "/" + rest + ")"
	}
	return text(owner, maxName)
}

func githubName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func row(cells ...string) string { return "| " + strings.Join(cells, " | ") + " |" }

// text makes untrusted text inert in a paragraph or table cell: shortened, markdown
// escaped, then HTML, mentions (@ gets a zero-width space) and pipes neutralised.
func text(s string, max int) string {
	if s == "" {
		return "—"
	}
	return markdown.Text(shorten(s, max))
}

// code puts an identifier (rule ID, glob) in a code span, where nothing renders or
// mentions; a pipe is escaped for tables.
func code(s string) string {
	if s == "" {
		return "—"
	}
	return markdown.Code(shorten(s, maxName))
}

func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

// names lists matching repositories: how many, then the first few.
func names(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	shown := make([]string, 0, maxMatches)
	for _, n := range list[:min(len(list), maxMatches)] {
		shown = append(shown, text(n, maxName))
	}
	out := markdown.Count(len(list)) + ": " + strings.Join(shown, ", ")
	if len(list) > maxMatches {
		out += fmt.Sprintf(", and %s more", markdown.Count(len(list)-maxMatches))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func severity(s policies.Severity) string {
	switch s {
	case policies.SeverityError:
		return "🔴 error"
	case policies.SeverityWarning:
		return "🟡 warning"
	case policies.SeverityInfo:
		return "🔵 info"
	}
	return text(string(s), maxName)
}

func levelName(l int) string {
	if l >= 0 && l < len(policies.LevelNames) {
		return policies.LevelNames[l]
	}
	return strconv.Itoa(l)
}

// levelBar shows the four levels: reached, assessed but not reached, not assessed.
func levelBar(level int, assessed [5]bool) string {
	var b strings.Builder
	for l := 1; l <= 4; l++ {
		switch {
		case l <= level:
			b.WriteString("🟩")
		case assessed[l]:
			b.WriteString("⬜")
		default:
			b.WriteString("➖")
		}
	}
	return b.String()
}

// bar shows a share as ten segments, rounded down so only 100% is full.
func bar(share float64) string {
	n := min(max(int(share*10), 0), 10)
	return strings.Repeat("▰", n) + strings.Repeat("▱", 10-n)
}

// arrow says which way a value moved; a move too small to show gets "＝".
func arrow(shows bool, delta float64) string {
	switch {
	case !shows || delta == 0:
		return "＝"
	case delta > 0:
		return "▲"
	}
	return "▼"
}

// pct formats a share as a whole percentage, except that only 1 reads 100% and only
// 0 reads 0%: 0.999 is 99.9%.
func pct(share float64) string {
	p := share * 100
	switch r := math.Round(p); {
	case r >= 100 && share < 1:
		return strconv.FormatFloat(math.Min(math.Floor(p*10)/10, 99.9), 'f', 1, 64) + "%"
	case r <= 0 && share > 0:
		return strconv.FormatFloat(math.Max(math.Ceil(p*10)/10, 0.1), 'f', 1, 64) + "%"
	default:
		return strconv.Itoa(int(r)) + "%"
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
