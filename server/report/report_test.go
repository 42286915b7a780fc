package report

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
)

type buildCase struct {
	name    string
	repos   []Repo
	cfg     *config.Org
	history []SweepSummary
	check   func(t *testing.T, r *Report)
}

func runBuild(t *testing.T, cases []buildCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if cfg == nil {
				cfg = config.DefaultOrg()
			}
			tc.check(t, Build("acme", tc.repos, cfg, tc.history, now))
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func aspect(r *Report, name string) AspectReport {
	for _, a := range r.Aspects {
		if a.Aspect == name {
			return a
		}
	}
	return AspectReport{}
}

// ladderRepos: operations passes level 1 on 4 of 5 and level 2 on 3 of 5; one
// repository fails measurement's level 3 rule.
func ladderRepos() []Repo {
	return []Repo{
		repo("a", "t", "ppppp"),
		repo("b", "t", "ppppp"),
		repo("c", "t", "ppppf"),
		repo("d", "t", "ppfpp"),
		repo("e", "t", "pppfp"),
	}
}

func TestBuildLevels(t *testing.T) {
	lenient := config.DefaultOrg()
	lenient.Threshold = 0.6
	runBuild(t, []buildCase{
		{name: "maturity per aspect at the default threshold", repos: ladderRepos(), check: func(t *testing.T, r *Report) {
			// adoption and measurement have rules at one level only: nobody is placed above it.
			want := map[string]int{"investment": 0, "adoption": 1, "interfaces": 0, "operations": 1, "measurement": 3}
			if got := r.Summary().Levels; !reflect.DeepEqual(got, want) {
				t.Errorf("levels %v, want %v", got, want)
			}
			ops := aspect(r, "operations")
			if ops.AtLevel != [5]int{1, 1, 3, 0, 0} || ops.Shares != [5]float64{0.2, 0.2, 0.6, 0, 0} || ops.LevelName != "provisional" || ops.Assessed != [5]bool{false, true, true, false, false} {
				t.Errorf("operations %+v", ops)
			}
			if m := aspect(r, "measurement"); m.AtLevel != [5]int{1, 0, 0, 4, 0} || m.Assessed != [5]bool{false, false, false, true, false} {
				t.Errorf("measurement at level %v", m.AtLevel)
			}
			if inv := aspect(r, "investment"); inv.Repositories != 0 || inv.Shares != [5]float64{} {
				t.Errorf("investment has no rule, got %+v", inv)
			}
			if r.Threshold != config.DefaultThreshold {
				t.Errorf("threshold %v", r.Threshold)
			}
		}},
		{name: "the org threshold decides", repos: ladderRepos(), cfg: lenient, check: func(t *testing.T, r *Report) {
			if ops := aspect(r, "operations"); ops.Level != 2 {
				t.Errorf("operations level %d at threshold 0.6, want 2 (the highest assessed)", ops.Level)
			}
		}},
		{name: "no repositories", check: func(t *testing.T, r *Report) {
			if len(r.Aspects) != len(policies.Aspects) || r.Aspects[0].Level != 0 || r.Repositories != 0 {
				t.Errorf("got %+v", r.Aspects)
			}
		}},
	})
}

func TestBuildCompliance(t *testing.T) {
	repos := []Repo{
		repo("a", "t", "pfexp"),
		repo("b", "t", "ffp-p"),
		repo("c", "t", "pep-f"),
		repo("d", "t", "xppxp"),
		{Name: "not-yet"}, // listed, never evaluated
	}
	runBuild(t, []buildCase{{name: "counts, rates and order", repos: repos, check: func(t *testing.T, r *Report) {
		type counts struct {
			rule                                  string
			pass, fail, errored, exempt, na, appl int
			rate                                  float64
		}
		// Most severe first; within a severity the lowest pass rate, and a rule that
		// applies nowhere last.
		want := []counts{
			{"catalog.owner", 2, 1, 0, 1, 0, 3, 2.0 / 3},
			{"ci.present", 3, 0, 1, 0, 0, 4, 0.75},
			{"docs.readme", 1, 2, 1, 0, 0, 4, 0.25},
			{"operations.runbook", 0, 0, 0, 2, 2, 0, 0},
			{"measurement.slo", 3, 1, 0, 0, 0, 4, 0.75},
		}
		if len(r.Rules) != len(want) {
			t.Fatalf("%d rules, want %d", len(r.Rules), len(want))
		}
		for i, w := range want {
			rc := r.Rules[i]
			got := counts{rc.Rule, rc.Pass, rc.Fail, rc.Error, rc.Exempt, rc.NotApplicable, rc.Applicable, rc.PassRate}
			if got.rule != w.rule || got.pass != w.pass || got.fail != w.fail || got.errored != w.errored ||
				got.exempt != w.exempt || got.na != w.na || got.appl != w.appl || !near(got.rate, w.rate) {
				t.Errorf("rule %d: got %+v, want %+v", i, got, w)
			}
		}
		if rc := r.Rules[2]; rc.Title != "README present" || rc.Aspect != "adoption" || rc.Level != 1 || rc.Severity != policies.SeverityWarning {
			t.Errorf("metadata %+v", rc)
		}
		if !near(r.Compliance, 9.0/15) {
			t.Errorf("compliance %v, want 0.6", r.Compliance)
		}
		// b fails catalog.owner (error); a's ci.present errored, which is not a failure.
		if r.Passing != 3 || r.Repositories != 4 || r.NotEvaluated != 1 {
			t.Errorf("passing %d of %d (%d not evaluated)", r.Passing, r.Repositories, r.NotEvaluated)
		}
	}}})
}

func TestBuildTeams(t *testing.T) {
	a := repo("a", "someone-else", "fpppp")
	a.Owner = "@acme/payments" // the caller's owner wins over the evaluation's
	repos := []Repo{
		a,
		repo("b", "@acme/payments", "ffppp"),
		repo("c", "", "ppppp"),
		repo("d", "team-web", "pffff"),
		repo("e", "@acme/payments", "pfppf"),
	}
	runBuild(t, []buildCase{{name: "per owner", repos: repos, check: func(t *testing.T, r *Report) {
		want := []Team{
			{Owner: "@acme/payments", Repositories: 3, Components: 3, Passing: 1, MeanScore: 66.6,
				WorstRules: []RuleFailures{{"catalog.owner", 2}, {"docs.readme", 2}, {"measurement.slo", 1}}},
			{Owner: NoOwner, Repositories: 1, Components: 1, Passing: 1, MeanScore: 100, WorstRules: []RuleFailures{}},
			{Owner: "team-web", Repositories: 1, Components: 1, Passing: 0, MeanScore: 27.3,
				WorstRules: []RuleFailures{{"ci.present", 1}, {"docs.readme", 1}, {"measurement.slo", 1}}},
		}
		if !reflect.DeepEqual(r.Teams, want) {
			t.Errorf("teams\n got %+v\nwant %+v", r.Teams, want)
		}
	}}})
}

// TestBuildCountsComponents: a monorepo of three components owned by three teams
// counts three for each component rule and once for each team; repository
// rules count it once.
func TestBuildCountsComponents(t *testing.T) {
	mono := Repo{Name: "mono", EvaluatedAt: now, Evaluation: components(evaluation(fixtureRules, "mono", "team-pay", "ppfpf"),
		component{"payments", "team-pay", "ppxp"}, component{"ledger", "team-ledger", "fpp-"}, component{"web", "team-web", "pfpp"})}
	svc := Repo{Name: "svc", EvaluatedAt: now, Evaluation: loneComponent(evaluation(fixtureRules, "svc", "team-pay", "ppppp"))}
	runBuild(t, []buildCase{{name: "monorepo and service", repos: []Repo{mono, svc}, check: func(t *testing.T, r *Report) {
		if r.Repositories != 2 || r.Components != 4 || r.Passing != 1 {
			t.Errorf("%d repositories, %d components, %d passing; want 2, 4, 1", r.Repositories, r.Components, r.Passing)
		}
		want := map[string][5]int{ // pass, fail, exempt, not applicable, applicable
			"ci.present":         {1, 1, 0, 0, 2},
			"catalog.owner":      {3, 1, 0, 0, 4},
			"docs.readme":        {3, 1, 0, 0, 4},
			"operations.runbook": {3, 0, 1, 0, 3},
			"measurement.slo":    {3, 0, 0, 1, 3},
		}
		for _, rc := range r.Rules {
			if got := [5]int{rc.Pass, rc.Fail, rc.Exempt, rc.NotApplicable, rc.Applicable}; got != want[rc.Rule] {
				t.Errorf("%s: pass, fail, exempt, n/a, applicable %v, want %v", rc.Rule, got, want[rc.Rule])
			}
		}
		if !near(r.Compliance, 13.0/16) {
			t.Errorf("compliance %v, want 13/16", r.Compliance)
		}
		teams := map[string]Team{}
		for _, tm := range r.Teams {
			tm.MeanScore = 0
			teams[tm.Owner] = tm
		}
		wantTeams := map[string]Team{
			"team-pay":    {Owner: "team-pay", Repositories: 2, Components: 2, Passing: 1, WorstRules: []RuleFailures{{"ci.present", 1}}},
			"team-ledger": {Owner: "team-ledger", Repositories: 1, Components: 1, WorstRules: []RuleFailures{{"catalog.owner", 1}, {"ci.present", 1}}},
			"team-web":    {Owner: "team-web", Repositories: 1, Components: 1, WorstRules: []RuleFailures{{"ci.present", 1}, {"docs.readme", 1}}},
		}
		if !reflect.DeepEqual(teams, wantTeams) {
			t.Errorf("teams\n got %+v\nwant %+v", teams, wantTeams)
		}
		for _, a := range r.Aspects {
			if a.Aspect == "adoption" && a.Repositories != 4 {
				t.Errorf("adoption assessed on %d, want the 4 components", a.Repositories)
			}
		}
		if len(r.Furthest) != 1 || r.Furthest[0].Repository != "mono" {
			t.Errorf("furthest %+v, want mono alone", r.Furthest)
		}
	}}})
}

func TestBuildFurthest(t *testing.T) {
	var many []Repo
	for i := range 25 {
		many = append(many, repo(fmt.Sprintf("r%02d", i), "t", "fpppp"))
	}
	runBuild(t, []buildCase{
		{name: "lowest score, then most error failures, then name", repos: []Repo{
			repo("zeta", "t", "ppppp"),    // nothing failing: left out
			repo("alpha", "t", "fpfpp"),   // 45.5
			repo("beta", "t", "pfpff"),    // 54.5, no error failure
			repo("gamma", "t", "ffppp"),   // 54.5, one error failure
			repo("delta", "t", "ppppe"),   // 90.9, a rule errored
			repo("epsilon", "t", "ffppp"), // as gamma, first by name
		}, check: func(t *testing.T, r *Report) {
			var order []string
			for _, f := range r.Furthest {
				order = append(order, f.Repository)
			}
			if want := []string{"alpha", "epsilon", "gamma", "beta", "delta"}; !slices.Equal(order, want) {
				t.Errorf("order %v, want %v", order, want)
			}
			if f := r.Furthest[0]; f.Score != 45.5 || f.ErrorFailures != 2 || !slices.Equal(f.Failing, []string{"catalog.owner", "ci.present"}) {
				t.Errorf("alpha %+v", f)
			}
			if f := r.Furthest[3]; !slices.Equal(f.Failing, []string{"docs.readme", "operations.runbook", "measurement.slo"}) {
				t.Errorf("beta failing %v, want error severity first, then warning, then info", f.Failing)
			}
		}},
		{name: "top 20", repos: many, check: func(t *testing.T, r *Report) {
			if len(r.Furthest) != FurthestLimit || r.Furthest[19].Repository != "r19" {
				t.Errorf("%d repositories, last %s", len(r.Furthest), r.Furthest[len(r.Furthest)-1].Repository)
			}
		}},
	})
}

func TestBuildExemptions(t *testing.T) {
	cfg := orgWith(
		config.Exemption{Repositories: []string{"legacy-*"}, Rules: []string{"ci.present"}, Reason: "Decommissioned", Expires: day("2026-09-30")},
		config.Exemption{Repositories: []string{"ledger"}, Rules: []string{"operations.runbook"}, Reason: "Old waiver", Expires: day("2026-03-01")},
		config.Exemption{Repositories: []string{"web"}, Rules: []string{"docs.readme"}, Reason: "Wiki"},
		config.Exemption{Repositories: []string{"nothing-*"}, Rules: []string{"ci.present"}, Reason: "Nobody"},
		config.Exemption{Repositories: []string{"api"}, Rules: []string{"ci.present"}, Reason: "Last day", Expires: day("2026-05-04")},
	)
	ledger := repo("ledger", "t", "ppppp")
	ledger.Evaluation.ExpiredExemptions = []policies.ExpiredExemption{{Rule: "operations.runbook", Reason: "Old waiver", Expires: "2026-03-01"}}
	web := repo("web", "t", "ppppp")
	web.Evaluation.ExpiredExemptions = []policies.ExpiredExemption{{Rule: "measurement.slo", Reason: "Own file", Expires: "2026-01-31"}}
	api := repo("api", "t", "ppppp")
	api.Evaluation.ExpiredExemptions = []policies.ExpiredExemption{{Rule: "operations.runbook", Reason: "Old waiver", Expires: "2026-03-01"}}
	repos := []Repo{repo("legacy-b", "t", "ppppp"), repo("legacy-a", "t", "ppppp"), ledger, web, api}

	runBuild(t, []buildCase{{name: "matches, expiry and recorded expired exemptions", repos: repos, cfg: cfg, check: func(t *testing.T, r *Report) {
		type use struct {
			expires string
			expired bool
			matches []string
		}
		want := []use{
			{"2026-09-30", false, []string{"legacy-a", "legacy-b"}},
			{"2026-03-01", true, []string{"ledger"}},
			{"", false, []string{"web"}},
			{"", false, []string{}},
			{"2026-05-04", false, []string{"api"}}, // the last day still applies
		}
		for i, w := range want {
			e := r.Exemptions[i]
			if e.Expires != w.expires || e.Expired != w.expired || !slices.Equal(e.Matches, w.matches) || e.Reason != cfg.Exemptions[i].Reason {
				t.Errorf("exemption %d: got %+v, want %+v", i, e, w)
			}
		}
		// ledger's record is the org exemption above; api's has the same wording but
		// the org globs do not cover it, and web's is its own file's.
		wantOthers := []ExpiredExemptionUse{
			{policies.ExpiredExemption{Rule: "measurement.slo", Reason: "Own file", Expires: "2026-01-31"}, []string{"web"}},
			{policies.ExpiredExemption{Rule: "operations.runbook", Reason: "Old waiver", Expires: "2026-03-01"}, []string{"api"}},
		}
		if !reflect.DeepEqual(r.ExpiredRepositoryExemptions, wantOthers) {
			t.Errorf("expired on repositories\n got %+v\nwant %+v", r.ExpiredRepositoryExemptions, wantOthers)
		}
	}}})
}

func TestBuildTrend(t *testing.T) {
	var history []SweepSummary
	for i := 1; i <= 14; i++ { // newest first (history[10] is 11 days ago): Build must not rely on the order
		at := now.Add(-time.Duration(i) * 24 * time.Hour)
		history = append(history, SweepSummary{StartedAt: at, FinishedAt: at.Add(time.Minute), Repositories: 5, Passing: 1, Compliance: 0.5})
	}
	latest := &history[0]
	latest.Passing, latest.Compliance = 3, 0.8
	latest.Levels = map[string]int{"investment": 0, "adoption": 3, "operations": 1, "measurement": 4}
	latest.RulePassRates = map[string]float64{"catalog.owner": 0.7, "ci.present": 0.8, "gone.rule": 0.5}

	runBuild(t, []buildCase{
		{name: "deltas against the latest earlier sweep", repos: ladderRepos(), history: history, check: func(t *testing.T, r *Report) {
			d := r.Trend.Delta
			if d == nil || r.Trend.Previous == nil || !r.Trend.Previous.FinishedAt.Equal(latest.FinishedAt) {
				t.Fatalf("previous %+v", r.Trend.Previous)
			}
			if !d.Since.Equal(latest.FinishedAt) || d.Passing != 1 || d.Repositories != 0 || !near(d.Compliance, 0.88-0.8) {
				t.Errorf("delta %+v", d)
			}
			// interfaces was not recorded then, so it is not compared.
			wantLevels := []LevelChange{{"investment", 0, 0}, {"adoption", 3, 1}, {"operations", 1, 1}, {"measurement", 4, 3}}
			if !reflect.DeepEqual(d.Levels, wantLevels) {
				t.Errorf("levels %+v", d.Levels)
			}
			if want := []RuleChange{{"catalog.owner", 0.7, 1}}; !reflect.DeepEqual(d.Rules, want) {
				t.Errorf("rules %+v, want %+v", d.Rules, want)
			}
			p := r.Trend.Points
			if len(p) != TrendPoints || !p[0].At.Equal(history[10].FinishedAt) || !p[11].At.Equal(now) || p[11].Passing != 4 || p[10].Passing != 3 {
				t.Errorf("points %+v", p)
			}
		}},
		{name: "no history", repos: ladderRepos(), check: func(t *testing.T, r *Report) {
			if r.Trend.Delta != nil || r.Trend.Previous != nil || len(r.Trend.Points) != 1 {
				t.Errorf("trend %+v", r.Trend)
			}
		}},
	})
}

func TestBuildProblems(t *testing.T) {
	runBuild(t, []buildCase{{name: "grouped, most widespread first", repos: basicRepos(), check: func(t *testing.T, r *Report) {
		want := []ProblemUse{
			{policies.Problem{Source: "golden-path/policies/payments.rego", Line: 12, Message: "undefined function http.send"},
				[]string{"billing", "checkout", "docs-site", "ledger", "legacy-batch", "legacy-cron", "web"}},
			{policies.Problem{Source: ".github/golden-path.yaml", Line: 3, Message: `unknown key "ownr"`}, []string{"billing"}},
		}
		if !reflect.DeepEqual(r.Problems, want) {
			t.Errorf("problems\n got %+v\nwant %+v", r.Problems, want)
		}
	}}})
}

func TestBuildPartial(t *testing.T) {
	partial := repo("mono", "t", "pnfnp")
	partial.Evaluation.Partial = "listed 61000 of ? paths: request budget of 200 reached"
	runBuild(t, []buildCase{{name: "listed, marked and not judged", repos: []Repo{repo("api", "t", "pffpp"), partial}, check: func(t *testing.T, r *Report) {
		if want := []RepoReason{{Repository: "mono", Reason: partial.Evaluation.Partial}}; !slices.Equal(r.Partial, want) {
			t.Errorf("partial %v, want %v", r.Partial, want)
		}
		for _, rc := range r.Rules {
			if rc.Rule == "docs.readme" && (rc.NotJudged != 1 || rc.Fail != 1 || rc.Applicable != 1) {
				t.Errorf("docs.readme %+v: want 1 failing, 1 not judged, and only the failure applicable", rc)
			}
		}
		var marked []string
		for _, f := range r.Furthest {
			if f.Partial {
				marked = append(marked, f.Repository)
			}
		}
		if !slices.Equal(marked, []string{"mono"}) {
			t.Errorf("furthest marks %v as partial, want mono", marked)
		}
		md := Markdown(r, MarkdownOptions{})
		for _, want := range []string{"### ⚠️ Partially evaluated", "| mono | listed 61000 of ? paths: request budget of 200 reached |", "mono ⚠️ partial"} {
			if !strings.Contains(md, want) {
				t.Errorf("markdown lacks %q:\n%s", want, md)
			}
		}
	}}})
}

func TestBuildIgnoresInputOrder(t *testing.T) {
	repos := basicRepos()
	want := Build("acme", repos, basicOrg(), basicHistory(), now)
	slices.Reverse(repos)
	history := basicHistory()
	slices.Reverse(history)
	if got := Build("acme", repos, basicOrg(), history, now); !reflect.DeepEqual(got, want) {
		t.Fatal("reversed input gave another report")
	}
}

func TestSummaryAndJSON(t *testing.T) {
	r := Build("acme", ladderRepos(), nil, nil, now)
	s := r.Summary()
	if !s.StartedAt.Equal(now) || s.Repositories != 5 || s.Passing != 4 || !near(s.Compliance, 0.88) || s.RulePassRates["ci.present"] != 0.8 {
		t.Errorf("summary without a sweep %+v", s)
	}

	started := now.Add(-10 * time.Minute)
	r.Sweep = &SweepSummary{StartedAt: started, Repositories: 6, Evaluated: 2, Unchanged: 3}
	s = r.Summary()
	if !s.StartedAt.Equal(started) || !s.FinishedAt.IsZero() || s.Repositories != 6 || s.Evaluated != 2 || s.Unchanged != 3 || s.Levels["adoption"] != 1 {
		t.Errorf("summary with a sweep %+v", s)
	}

	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sweep map[string]any `json:"sweep"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"started_at", "finished_at", "repositories", "evaluated", "unchanged"} {
		if _, ok := doc.Sweep[key]; !ok {
			t.Errorf("sweep lacks %q: %s", key, b)
		}
	}
	if doc.Sweep["finished_at"] != nil || doc.Sweep["started_at"] != started.Format(time.RFC3339) {
		t.Errorf("a running sweep: started_at %v, finished_at %v (want null)", doc.Sweep["started_at"], doc.Sweep["finished_at"])
	}

	// A stored summary reads back as it was written.
	var back SweepSummary
	s.FinishedAt = now
	b, _ = json.Marshal(s)
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("round trip: %v\n got %+v\nwant %+v", err, back, s)
	}
}
