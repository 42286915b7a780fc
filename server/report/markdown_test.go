package report

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/controls"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./server/report -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./server/report -update rewrites it); got:\n%s", path, got)
	}
}

func sweepOf(start time.Time, listed, evaluated int) *SweepSummary {
	return &SweepSummary{StartedAt: start, FinishedAt: start.Add(3*time.Minute + 12*time.Second), Repositories: listed, Evaluated: evaluated, Unchanged: listed - evaluated}
}

func hostileReport() *Report {
	rules := []ruleDef{
		{"catalog.owner", "Owner <b>bold</b> | pipe", "adoption", 1, policies.SeverityError},
		{"custom.x|y", "`tick` @octocat [link](https://evil.example)", "operations", 1, policies.SeverityWarning},
	}
	mk := func(name, owner, outcomes string) Repo {
		return Repo{Name: name, Owner: owner, Evaluation: evaluation(rules, name, owner, outcomes)}
	}
	repos := []Repo{
		mk("<script>alert(1)</script>", "@acme/team", "ff"),
		mk("pipe|name", "@acme/team", "fp"),
		mk("under_score*star", "multi\nline <img src=x onerror=alert(1)> & @someone", "pf"),
	}
	repos[2].Evaluation.Problems = []policies.Problem{{Source: "golden-path.yaml`|", Line: 2, Message: "bad <b>value</b> | cc @acme/security"}}
	repos[1].Evaluation.ExpiredExemptions = []policies.ExpiredExemption{{Rule: "custom.x|y", Reason: "@acme/security said <ok>", Expires: "2026-01-01"}}
	cfg := orgWith(config.Exemption{Repositories: []string{"pipe*"}, Rules: []string{"catalog.owner"}, Reason: "ping @acme/admins | <i>now</i>", Expires: day("2026-01-01")})
	r := Build("acme", repos, cfg, nil, now)
	r.Sweep = sweepOf(now.Add(-5*time.Minute), 3, 3)
	return r
}

func TestMarkdownGolden(t *testing.T) {
	basic := Build("acme", basicRepos(), basicOrg(), basicHistory(), now)
	basic.Sweep = sweepOf(now.Add(-4*time.Minute), 8, 3)
	basic.NotEvaluated = 1

	running := Build("acme", nil, nil, nil, now)
	running.Sweep = &SweepSummary{StartedAt: now.Add(-time.Minute), Repositories: 40}

	// A sweep waiting for the rate limit, with repositories it could not judge:
	// the report of what is done says what waits, until when, and why.
	waiting := Build("acme", basicRepos(), basicOrg(), basicHistory(), now)
	waiting.Sweep = &SweepSummary{StartedAt: now.Add(-2 * time.Minute), Repositories: 30, Evaluated: 22, Unchanged: 1,
		Waiting: 4, WaitingUntil: time.Date(2026, 5, 4, 13, 7, 0, 0, time.UTC)}
	waiting.Unjudged = []RepoReason{
		{Repository: "empty-repo", Reason: "empty repository: GitHub has no commit to read"},
		{Repository: "flaky|<b>", Reason: "read blob: 500 Internal Server Error @acme/ops (after 3 attempts)"},
	}

	large := Build("acme", largeRepos(5000), basicOrg(), basicHistory(), now)
	large.Sweep = sweepOf(now.Add(-30*time.Minute), 5000, 480)

	tests := []struct {
		name   string
		report *Report
		opts   MarkdownOptions
	}{
		{"basic.md", basic, MarkdownOptions{APIURL: "https://goldenpath.example.com/api/v1/orgs/acme/report"}},
		{"empty.md", running, MarkdownOptions{}},
		{"hostile.md", hostileReport(), MarkdownOptions{WebURL: "https://github.com"}},
		{"waiting.md", waiting, MarkdownOptions{}},
		{"large.md", large, MarkdownOptions{APIURL: "https://goldenpath.example.com/api/v1/orgs/acme/report", WebURL: "https://github.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := Markdown(tt.report, tt.opts)
			if !strings.HasPrefix(body, controls.Marker+"\n") {
				t.Errorf("body does not start with the marker")
			}
			if !strings.Contains(body, "\n"+controls.RescanUnchecked+"\n") || controls.RescanRequested(body) {
				t.Errorf("body lacks an unticked re-scan checkbox line")
			}
			if len(body) >= DefaultLimit {
				t.Errorf("body is %d bytes, limit %d", len(body), DefaultLimit)
			}
			checkTables(t, body)
			golden(t, tt.name, body)
		})
	}
}

func TestMarkdownLarge(t *testing.T) {
	r := Build("acme", largeRepos(5000), basicOrg(), basicHistory(), now)
	full := Markdown(r, MarkdownOptions{Limit: 1 << 30})
	body := Markdown(r, MarkdownOptions{})
	if len(full) < DefaultLimit {
		t.Fatalf("the uncut body is only %d bytes: the case does not test cutting", len(full))
	}
	if len(body) >= DefaultLimit || len(body) < DefaultLimit-2000 {
		t.Errorf("body is %d bytes; want just under %d", len(body), DefaultLimit)
	}
	if !regexp.MustCompile(`_Showing [\d,]+ of [\d,]+ teams to fit in an issue: the JSON API \(` + "`GET /api/v1/orgs/acme/report`" + `\) has them all\._`).MatchString(body) {
		t.Error("no cut note for teams pointing at the JSON API")
	}
	for _, heading := range []string{"### Maturity per aspect", "### Compliance per rule", "### Trend", "### Teams", "### Furthest from the path", "### Exemptions", "xychart-beta"} {
		if !strings.Contains(body, heading) {
			t.Errorf("cut body lost %q", heading)
		}
	}
	// Small sections are whole: every rule is listed.
	for _, def := range largeRules() {
		if !strings.Contains(body, "`"+def.id+"`") {
			t.Errorf("rule %s missing", def.id)
		}
	}

	for _, limit := range []int{20000, 8000, 3000, 500} {
		if got := Markdown(r, MarkdownOptions{Limit: limit}); len(got) >= limit || !strings.HasPrefix(got, controls.Marker) {
			t.Errorf("limit %d: body is %d bytes", limit, len(got))
		}
	}
}

func TestMarkdownEscapesRepositoryText(t *testing.T) {
	body := Markdown(hostileReport(), MarkdownOptions{})
	for _, bad := range []string{"<script", "<img", "<b>", "<i>", "<ok>", "@acme", "@someone", "@octocat", "\nline"} {
		if strings.Contains(body, bad) {
			t.Errorf("body contains %q", bad)
		}
	}
	for _, want := range []string{"@\u200bacme/team", "&lt;script&gt;alert(1)&lt;/script&gt;", `pipe\|name`, `under\_score\*star`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if regexp.MustCompile(`(^|[^\\])\]\(`).MatchString(body) {
		t.Error("repository text made a link")
	}
	checkTables(t, body)
}

var cellSeparator = regexp.MustCompile(`(^|[^\\])\|`)

// checkTables checks that every table row has as many cells as its header, so no text
// from a repository split or merged a cell.
func checkTables(t *testing.T, body string) {
	t.Helper()
	cells := func(line string) int { return len(cellSeparator.FindAllString(line, -1)) }
	want := 0
	for line := range strings.Lines(body) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case !strings.HasPrefix(line, "|"):
			want = 0
		case want == 0:
			want = cells(line)
		case cells(line) != want:
			t.Errorf("row has %d cell separators, header %d: %s", cells(line), want, line)
		}
	}
}

func TestRescanRequested(t *testing.T) {
	tests := []struct {
		name string
		body string
		want bool
	}{
		{"unticked", controls.Marker + "\n" + controls.RescanUnchecked + "\n", false},
		{"ticked", controls.Marker + "\n" + controls.RescanChecked + "\n", true},
		{"ticked upper case", controls.Marker + "\r\n- [X] Re-scan all repositories now\r\n", true},
		{"last line without newline", "intro\n  - [x] Re-scan all repositories now", true},
		{"ticked elsewhere in a line", "| - [x] Re-scan all repositories now |\n" + controls.RescanUnchecked, false},
		{"another checkbox", "- [x] Something else\n" + controls.RescanUnchecked, false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := controls.RescanRequested(tt.body); got != tt.want {
				t.Errorf("RescanRequested = %v, want %v", got, tt.want)
			}
		})
	}
	body := Markdown(Build("acme", basicRepos(), nil, nil, now), MarkdownOptions{})
	if controls.RescanRequested(body) || !controls.RescanRequested(strings.Replace(body, controls.RescanUnchecked, controls.RescanChecked, 1)) {
		t.Error("a rendered body is not recognised")
	}
}

func TestPct(t *testing.T) {
	for share, want := range map[float64]string{0: "0%", 1: "100%", 0.5: "50%", 0.724: "72%", 0.9996: "99.9%", 0.0004: "0.1%", 0.996: "99.6%"} {
		if got := pct(share); got != want {
			t.Errorf("pct(%v) = %s, want %s", share, got, want)
		}
	}
}

func TestTrendChartFitsItsRange(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		values []float64
		axis   string
	}{
		{"small movement gets a 20-point window", []float64{0.62, 0.64}, `y-axis "Compliance (%)" 50 --> 75`},
		{"near the top stays within 100", []float64{0.97, 0.99}, `y-axis "Compliance (%)" 80 --> 100`},
		{"near zero stays within 0", []float64{0, 0.03}, `y-axis "Compliance (%)" 0 --> 20`},
		{"wide movement", []float64{0.1, 0.9}, `y-axis "Compliance (%)" 5 --> 95`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var points []TrendPoint
			for i, v := range tt.values {
				points = append(points, TrendPoint{At: at.Add(time.Duration(i) * time.Hour), Compliance: v})
			}
			if got := trendChart(points); !strings.Contains(got, tt.axis) {
				t.Fatalf("chart lacks %q:\n%s", tt.axis, got)
			}
		})
	}
}

func TestOwnerAndRepositoryLinks(t *testing.T) {
	w := &writer{r: &Report{Org: "acme"}, opts: MarkdownOptions{WebURL: "https://github.com/"}}
	tests := []struct{ got, want string }{
		{w.ownerLink("@acme/payments-team"), "[acme/payments-team](https://github.com/orgs/acme/teams/payments-team)"},
		{w.ownerLink("@octocat"), "[octocat](https://github.com/octocat)"},
		{w.ownerLink("group:default/payments"), "group:default/payments"},
		{w.ownerLink("@evil/x)(y"), "@\u200bevil/x)(y"},
		{w.repoLink("pay_ments"), "[pay\\_ments](https://github.com/acme/pay_ments)"},
		{w.repoLink("<script>"), "&lt;script&gt;"},
		{(&writer{r: &Report{Org: "acme"}}).repoLink("web"), "web"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
