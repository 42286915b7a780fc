package policies

import (
	"fmt"
	"maps"
	"testing"
)

func res(aspect string, level int, sev Severity, st Status) Result {
	return Result{Aspect: aspect, Level: level, Severity: sev, Status: st}
}

func exempt(aspect string, level int, sev Severity) Result {
	r := res(aspect, level, sev, StatusSkip)
	r.Exempt = true
	return r
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name    string
		results []Result
		want    Summary
	}{
		{"nothing applicable", []Result{res("adoption", 1, SeverityError, StatusSkip)}, Summary{Skipped: 1, Score: 100}},
		{"all pass", []Result{res("adoption", 1, SeverityError, StatusPass), res("adoption", 2, SeverityInfo, StatusPass)}, Summary{Passed: 2, Applicable: 2, Score: 100}},
		// error weighs 3, info 1: passing the info rule alone is 1 of 4.
		{"weighted", []Result{res("adoption", 1, SeverityError, StatusFail), res("adoption", 2, SeverityInfo, StatusPass)}, Summary{Passed: 1, Failed: 1, Applicable: 2, Score: 25}},
		{"exempt counts as passed", []Result{exempt("adoption", 1, SeverityError), res("adoption", 2, SeverityWarning, StatusFail)}, Summary{Failed: 1, Skipped: 1, Exempt: 1, Applicable: 1, Score: 60}},
		{"error status counts against", []Result{res("adoption", 1, SeverityWarning, StatusError), res("adoption", 1, SeverityWarning, StatusPass)}, Summary{Passed: 1, Errored: 1, Applicable: 2, Score: 50}},
		{"not applicable left out", []Result{res("adoption", 1, SeverityError, StatusSkip), res("adoption", 1, SeverityInfo, StatusPass)}, Summary{Passed: 1, Skipped: 1, Applicable: 1, Score: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarize(tt.results); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMaturity(t *testing.T) {
	const e = SeverityError
	pass := func(level int) Result { return res("operations", level, e, StatusPass) }
	fail := func(level int) Result { return res("operations", level, e, StatusFail) }
	na := func(level int) Result { return res("operations", level, e, StatusSkip) }
	repo := func(rs ...Result) []Result { return rs }
	levels := func(ls ...int) (a [5]bool) {
		for _, l := range ls {
			a[l] = true
		}
		return a
	}
	tests := []struct {
		name      string
		repos     [][]Result
		threshold float64
		level     int
		atLevel   [5]int
		assessed  [5]bool
	}{
		{"no repositories", nil, 0.8, 0, [5]int{}, levels()},
		{"all pass everything", [][]Result{repo(pass(1), pass(2), pass(3), pass(4))}, 0.8, 4, [5]int{0, 0, 0, 0, 1}, levels(1, 2, 3, 4)},
		{"ladder stops at first failed level", [][]Result{repo(pass(1), fail(2), pass(3), pass(4))}, 0.8, 1, [5]int{0, 1, 0, 0, 0}, levels(1, 2, 3, 4)},
		{"threshold share", [][]Result{
			repo(pass(1), pass(2)), repo(pass(1), pass(2)), repo(pass(1), pass(2)), repo(pass(1), pass(2)), repo(pass(1), fail(2)),
		}, 0.8, 2, [5]int{0, 1, 4, 0, 0}, levels(1, 2)},
		{"below threshold", [][]Result{
			repo(pass(1), pass(2)), repo(pass(1), pass(2)), repo(pass(1), pass(2)), repo(pass(1), fail(2)), repo(pass(1), fail(2)),
		}, 0.8, 1, [5]int{0, 2, 3, 0, 0}, levels(1, 2)},
		{"exempt counts as passing and as assessed", [][]Result{repo(exempt("operations", 1, e), pass(2))}, 0.8, 2, [5]int{0, 0, 1, 0, 0}, levels(1, 2)},
		{"not applicable repositories are left out", [][]Result{repo(na(1), na(2)), repo(pass(1), pass(2))}, 1, 2, [5]int{0, 0, 1, 0, 0}, levels(1, 2)},
		{"nobody is placed above the highest assessed level", [][]Result{repo(pass(1), pass(2), na(3), na(4))}, 1, 2, [5]int{0, 0, 1, 0, 0}, levels(1, 2)},
		{"a level not assessed is stepped over", [][]Result{repo(na(1), pass(3))}, 1, 3, [5]int{0, 0, 0, 1, 0}, levels(3)},
		{"a gap does not hide a failure above it", [][]Result{repo(pass(1), pass(3)), repo(pass(1), fail(3))}, 0.8, 1, [5]int{0, 1, 0, 1, 0}, levels(1, 3)},
		{"a gap with enough passing above it", [][]Result{repo(pass(1), pass(3)), repo(pass(1), fail(3))}, 0.5, 3, [5]int{0, 1, 0, 1, 0}, levels(1, 3)},
		{"a level counts over the repositories assessed at it", [][]Result{repo(pass(1)), repo(pass(1)), repo(pass(1), pass(2)), repo(pass(1), fail(2))}, 0.5, 2, [5]int{0, 3, 1, 0, 0}, levels(1, 2)},
		{"a failure below a gap stops the repository", [][]Result{repo(fail(1), pass(3))}, 1, 0, [5]int{1, 0, 0, 0, 0}, levels(1, 3)},
		{"failing level 1", [][]Result{repo(fail(1))}, 0.5, 0, [5]int{1, 0, 0, 0, 0}, levels(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got AspectMaturity
			for _, m := range Maturity(tt.repos, tt.threshold) {
				if m.Aspect == "operations" {
					got = m
				}
			}
			if got.Level != tt.level || got.AtLevel != tt.atLevel || got.LevelName != LevelNames[tt.level] || got.Assessed != tt.assessed {
				t.Fatalf("got level %d %v (%s) assessed %v, want %d %v assessed %v", got.Level, got.AtLevel, got.LevelName, got.Assessed, tt.level, tt.atLevel, tt.assessed)
			}
			if got.Level > got.HighestAssessed() {
				t.Fatalf("level %d above the highest assessed level %d", got.Level, got.HighestAssessed())
			}
		})
	}
	if n := len(Maturity(nil, 0.8)); n != len(Aspects) {
		t.Fatalf("%d aspects scored, want %d", n, len(Aspects))
	}
}

func TestPathIndexMatch(t *testing.T) {
	ix := newPathIndex([]Entry{
		{Path: "README.md"}, {Path: "readme.txt"}, {Path: "docs/README.md"}, {Path: "docs/runbooks/db.md"},
		{Path: "a/b/slo.yaml"}, {Path: "slos/api.yaml"}, {Path: "./catalog-info.yaml"}, {Path: "x/catalog-info.yaml"},
	})
	tests := []struct {
		glob string
		want []string
	}{
		{"catalog-info.yaml", []string{"catalog-info.yaml"}},
		{"README*", []string{"README.md"}},
		{"{README,readme}*", []string{"README.md", "readme.txt"}},
		{"**/README.md", []string{"README.md", "docs/README.md"}},
		{"docs/runbooks/**", []string{"docs/runbooks/db.md"}},
		{"**/*slo*.yaml", []string{"a/b/slo.yaml"}},
		{"slos/*.yaml", []string{"slos/api.yaml"}},
		{"*/catalog-info.yaml", []string{"x/catalog-info.yaml"}},
		{"missing.md", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.glob, func(t *testing.T) {
			if got := ix.match([]string{tt.glob}); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAspectLevels(t *testing.T) {
	const e = SeverityError
	tests := []struct {
		name    string
		results []Result
		want    map[string]int
	}{
		{"nothing applies", []Result{res("operations", 1, e, StatusSkip)}, map[string]int{}},
		{"stops below the first failure", []Result{
			res("operations", 1, e, StatusPass), res("operations", 2, e, StatusPass), res("operations", 3, e, StatusFail),
			res("interfaces", 1, e, StatusError),
		}, map[string]int{"operations": 2, "interfaces": 0}},
		{"exempt passes", []Result{exempt("measurement", 1, e)}, map[string]int{"measurement": 1}},
		{"capped at the highest assessed level", []Result{
			res("operations", 1, e, StatusPass), res("operations", 2, e, StatusPass), res("operations", 4, e, StatusSkip),
		}, map[string]int{"operations": 2}},
		{"a level not assessed is stepped over", []Result{
			res("adoption", 1, e, StatusPass), res("adoption", 3, e, StatusPass),
		}, map[string]int{"adoption": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AspectLevels(tt.results); !maps.Equal(got, tt.want) {
				t.Fatalf("AspectLevels = %v, want %v", got, tt.want)
			}
		})
	}
}
