package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
)

// now is the fixed clock of every test.
var now = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

type ruleDef struct {
	id, title, aspect string
	level             int
	severity          policies.Severity
}

// fixtureRules are the rules of the small fixtures, in evaluation order.
var fixtureRules = []ruleDef{
	{"catalog.owner", "Catalog names an owner", "adoption", 1, policies.SeverityError},
	{"docs.readme", "README present", "adoption", 1, policies.SeverityWarning},
	{"ci.present", "CI workflow present", "operations", 1, policies.SeverityError},
	{"operations.runbook", "Runbook present", "operations", 2, policies.SeverityWarning},
	{"measurement.slo", "SLOs defined", "measurement", 3, policies.SeverityInfo},
}

// evaluation builds an evaluation over rules from one letter per rule: p pass, f fail,
// e error, x exempt, - not applicable.
func evaluation(rules []ruleDef, name, owner, outcomes string) *policies.Evaluation {
	if len(outcomes) != len(rules) {
		panic(fmt.Sprintf("%s: %d outcomes for %d rules", name, len(outcomes), len(rules)))
	}
	ev := &policies.Evaluation{Schema: 1, Repository: name, ComponentType: "service", Owner: owner}
	for i, def := range rules {
		res := policies.Result{Rule: def.id, Title: def.title, Aspect: def.aspect, Level: def.level, Severity: def.severity}
		switch outcomes[i] {
		case 'p':
			res.Status = policies.StatusPass
		case 'f':
			res.Status, res.Message = policies.StatusFail, "missing"
		case 'e':
			res.Status, res.Message = policies.StatusError, "rule failed"
		case 'x':
			res.Status, res.Exempt, res.Message = policies.StatusSkip, true, "exempted"
		case '-':
			res.Status, res.Message = policies.StatusSkip, "does not apply"
		case 'n':
			res.Status, res.NotJudged, res.Message = policies.StatusSkip, true, "not judged"
		default:
			panic("bad outcome " + string(outcomes[i]))
		}
		ev.Results = append(ev.Results, res)
	}
	ev.Summary = policies.Summarize(ev.Results)
	return ev
}

// repo is a fixture repository whose team comes from its evaluation.
func repo(name, owner, outcomes string) Repo {
	return Repo{Name: name, Evaluation: evaluation(fixtureRules, name, owner, outcomes), EvaluatedAt: now.Add(-time.Hour)}
}

func orgWith(exemptions ...config.Exemption) *config.Org {
	o := config.DefaultOrg()
	o.Exemptions = exemptions
	return o
}

func day(s string) config.Date {
	d, err := config.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// basicRepos is a small organisation used by the Markdown golden file.
func basicRepos() []Repo {
	rs := []Repo{
		repo("checkout", "team-payments", "ppppp"),
		repo("billing", "team-payments", "pfppf"),
		repo("ledger", "team-payments", "ppfp-"),
		repo("web", "team-web", "pppf-"),
		repo("legacy-cron", "", "fpxff"),
		repo("legacy-batch", "", "ffefp"),
		repo("docs-site", "team-web", "pp---"),
	}
	// A custom rule that does not compile is reported on every repository.
	for _, r := range rs {
		r.Evaluation.Problems = []policies.Problem{{Source: "golden-path/policies/payments.rego", Line: 12, Message: "undefined function http.send"}}
	}
	rs[1].Evaluation.Problems = append(rs[1].Evaluation.Problems, policies.Problem{Source: ".github/golden-path.yaml", Line: 3, Message: "unknown key \"ownr\""})
	// An expired exemption of the repository's own file, recorded by the engine.
	rs[3].Evaluation.ExpiredExemptions = []policies.ExpiredExemption{{Rule: "operations.runbook", Reason: "Runbook lives in the wiki", Expires: "2026-01-31"}}
	return rs
}

func basicOrg() *config.Org {
	return orgWith(
		config.Exemption{Repositories: []string{"legacy-*"}, Rules: []string{"ci.present"}, Reason: "Decommissioned in Q3", Expires: day("2026-09-30")},
		config.Exemption{Repositories: []string{"docs-*"}, Rules: []string{"measurement.slo"}, Reason: "Static site, no SLO", Expires: day("2026-05-20")},
		config.Exemption{Repositories: []string{"ledger"}, Rules: []string{"operations.runbook"}, Reason: "Old runbook waiver", Expires: day("2026-03-01")},
		config.Exemption{Repositories: []string{"web"}, Rules: []string{"docs.readme"}, Reason: "Readme in the wiki"},
	)
}

func basicHistory() []SweepSummary {
	var h []SweepSummary
	for i := range 4 {
		start := now.Add(-time.Duration(4-i) * 24 * time.Hour)
		h = append(h, SweepSummary{
			StartedAt: start, FinishedAt: start.Add(2 * time.Minute), Repositories: 7, Evaluated: 7,
			Levels:     map[string]int{"investment": 0, "adoption": 1, "interfaces": 0, "operations": 1, "measurement": 0},
			Compliance: 0.5 + 0.05*float64(i), Passing: 2 + i/2,
			RulePassRates:    map[string]float64{"catalog.owner": 0.57, "docs.readme": 0.8, "ci.present": 0.5 + 0.1*float64(i)},
			AspectCompliance: map[string]float64{"adoption": 0.6 + 0.02*float64(i), "operations": 0.4 + 0.05*float64(i), "measurement": 0.5},
		})
	}
	return h
}

// largeRules are 20 rules across the aspects and levels.
func largeRules() []ruleDef {
	sevs := []policies.Severity{policies.SeverityError, policies.SeverityWarning, policies.SeverityInfo}
	rules := make([]ruleDef, 20)
	for i := range rules {
		aspect := policies.Aspects[i%len(policies.Aspects)]
		rules[i] = ruleDef{
			id: fmt.Sprintf("%s.rule%02d", aspect, i), title: fmt.Sprintf("Rule %d of %s", i, aspect),
			aspect: aspect, level: 1 + i%4, severity: sevs[i%3],
		}
	}
	return rules
}

// largeRepos builds n repositories over largeRules with outcomes from a fixed
// pseudo-random sequence, owned by about n/8 teams (some without an owner).
func largeRepos(n int) []Repo {
	rules := largeRules()
	repos := make([]Repo, n)
	outcomes := make([]byte, len(rules))
	state := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // xorshift64*: fixed across Go versions
		state ^= state >> 12
		state ^= state << 25
		state ^= state >> 27
		return state * 2685821657736338717
	}
	teams := max(1, n/8)
	for i := range repos {
		skill := next() % 100 // some repositories are much further from the path
		for j := range outcomes {
			roll := next() % 100
			switch {
			case roll < 2:
				outcomes[j] = 'e'
			case roll < 5:
				outcomes[j] = 'x'
			case roll < 12:
				outcomes[j] = '-'
			case roll < 12+skill*6/10:
				outcomes[j] = 'f'
			default:
				outcomes[j] = 'p'
			}
		}
		owner := fmt.Sprintf("team-%04d", next()%uint64(teams))
		if next()%20 == 0 {
			owner = ""
		}
		name := fmt.Sprintf("service-%06d", i)
		repos[i] = Repo{Name: name, Evaluation: evaluation(rules, name, owner, string(outcomes)), EvaluatedAt: now}
	}
	return repos
}

// componentRules are the fixture rules judged per component; the others are
// judged once per repository.
var componentRules = map[string]bool{"catalog.owner": true, "docs.readme": true, "operations.runbook": true, "measurement.slo": true}

// scoped sets each result's scope as the engine does.
func scoped(results []policies.Result) {
	for i := range results {
		results[i].Scope = policies.ScopeRepository
		if componentRules[results[i].Rule] {
			results[i].Scope = policies.ScopeComponent
		}
	}
}

// loneComponent gives ev the one component at its root that the engine gives a
// repository without a catalog Component: its results are the repository's
// results of the component rules.
func loneComponent(ev *policies.Evaluation) *policies.Evaluation {
	scoped(ev.Results)
	c := policies.Component{Name: strings.TrimPrefix(ev.Repository, "acme/"), Path: policies.RootPath, Type: ev.ComponentType,
		TypeSource: policies.TypeFromDefault, Owner: ev.Owner, Results: []policies.Result{}}
	for _, r := range ev.Results {
		if r.Scope == policies.ScopeComponent {
			c.Results = append(c.Results, r)
		}
	}
	c.Summary = policies.Summarize(c.Results)
	ev.Components = []policies.Component{c}
	return ev
}

// component is a fixture component: its owner and one outcome letter (as in
// evaluation) per component rule, in the fixture rules' order.
type component struct{ name, owner, outcomes string }

// components gives ev several components; the repository's result of a
// component rule fails when one of them fails it, as the engine combines them.
func components(ev *policies.Evaluation, comps ...component) *policies.Evaluation {
	scoped(ev.Results)
	var compDefs []ruleDef
	for _, def := range fixtureRules {
		if componentRules[def.id] {
			compDefs = append(compDefs, def)
		}
	}
	ev.Components = nil
	for _, c := range comps {
		judged := evaluation(compDefs, c.name, c.owner, c.outcomes)
		scoped(judged.Results)
		ev.Components = append(ev.Components, policies.Component{Name: c.name, Ref: "component:default/" + c.name,
			Path: "services/" + c.name, Type: "service", TypeSource: policies.TypeFromCatalog, Owner: c.owner,
			Summary: judged.Summary, Results: judged.Results})
	}
	for i, r := range ev.Results {
		if r.Scope != policies.ScopeComponent {
			continue
		}
		for _, c := range ev.Components {
			cr := c.Results[slices.IndexFunc(c.Results, func(x policies.Result) bool { return x.Rule == r.Rule })]
			if cr.Status == policies.StatusFail || r.Status == policies.StatusSkip && cr.Status != policies.StatusSkip {
				r.Status, r.Exempt, r.NotJudged = cr.Status, cr.Exempt, cr.NotJudged
			}
		}
		ev.Results[i] = r
	}
	ev.Summary = policies.Summarize(ev.Results)
	return ev
}
