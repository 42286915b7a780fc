// Package report turns the latest evaluations of an organisation's repositories, and the
// summaries of earlier sweeps, into the organisation-wide adoption report: a JSON form
// (served by GET /api/v1/orgs/{org}/report) and the markdown body of the report issue.
//
// It is pure: no GitHub, no database. Callers load the inputs and publish the outputs.
package report

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
)

// NoOwner is the team of components whose catalog and CODEOWNERS name no owner.
const NoOwner = "(no owner)"

// Sizes of the ranked lists.
const (
	// FurthestLimit is how many repositories the "furthest from the path" list holds.
	FurthestLimit = 20
	// WorstRulesPerTeam is how many of its most-failed rules a team lists.
	WorstRulesPerTeam = 3
	// TrendPoints is how many sweeps (this report included) the trend covers.
	TrendPoints = 12
)

// Repo is one repository's latest evaluation.
type Repo struct {
	Name string
	// Owner is the team of a repository of one component: the catalog's
	// spec.owner, else CODEOWNERS' first owner. When empty, Evaluation.Owner is
	// used. A repository of several components has their owners as teams.
	Owner string
	// Evaluation is nil for a repository that has not been evaluated yet: it is
	// counted in Report.NotEvaluated and otherwise left out.
	Evaluation  *policies.Evaluation
	EvaluatedAt time.Time
}

// SweepSummary records one sweep (or one report) so later reports can show a trend.
// Its JSON form is the report's "sweep" object; a zero StartedAt or FinishedAt (a
// sweep still running) is written as null.
type SweepSummary struct {
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	Repositories int       `json:"repositories"`
	Evaluated    int       `json:"evaluated"`
	Unchanged    int       `json:"unchanged"`
	// Waiting repositories are not evaluated yet because the installation's rate
	// limit is down to the reserve; the sweep goes on at WaitingUntil (null when
	// nothing waits).
	Waiting      int       `json:"waiting"`
	WaitingUntil time.Time `json:"waiting_until"`
	// Levels is the maturity level reached per aspect.
	Levels map[string]int `json:"levels,omitempty"`
	// Compliance is the share (0–1) of applicable rule results that pass.
	Compliance float64 `json:"compliance"`
	// Passing counts repositories passing every error-severity rule.
	Passing int `json:"passing"`
	// RulePassRates is each rule's pass rate (0–1) over the repositories it applies
	// to; rules that applied nowhere are absent. It lets the next report say
	// "catalog.owner 72% → 80%".
	RulePassRates map[string]float64 `json:"rule_pass_rates,omitempty"`
	// AspectCompliance is Compliance per aspect, for the trend's aspect series.
	AspectCompliance map[string]float64 `json:"aspect_compliance,omitempty"`
}

// MarshalJSON writes zero times as null, so "finished_at": null means "not finished".
func (s SweepSummary) MarshalJSON() ([]byte, error) {
	type plain SweepSummary // without this method
	return json.Marshal(struct {
		plain
		StartedAt    *time.Time `json:"started_at"`
		FinishedAt   *time.Time `json:"finished_at"`
		WaitingUntil *time.Time `json:"waiting_until"`
	}{plain(s), timeOrNil(s.StartedAt), timeOrNil(s.FinishedAt), timeOrNil(s.WaitingUntil)})
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// at is when the sweep happened, for ordering and the trend chart.
func (s SweepSummary) at() time.Time {
	if !s.FinishedAt.IsZero() {
		return s.FinishedAt
	}
	return s.StartedAt
}

// Report is the organisation-wide adoption report. Rates and shares are 0–1; scores
// are percentages (0–100) as in policies.Summary.
type Report struct {
	Org         string    `json:"org"`
	GeneratedAt time.Time `json:"generated_at"`
	// Sweep is the sweep this report follows; Build leaves it nil for the caller to fill.
	Sweep     *SweepSummary `json:"sweep"`
	Threshold float64       `json:"threshold"`

	// Repositories counts the scored repositories (those with an evaluation).
	Repositories int `json:"repositories"`
	// Components counts their components: a repository without catalog
	// Components is one. Component rules, maturity and teams count components.
	Components int `json:"components"`
	// NotEvaluated counts repositories given without an evaluation yet.
	NotEvaluated int `json:"not_evaluated"`
	// Unjudged are the repositories the latest sweep could not judge, with the
	// reason; Build leaves it empty for the caller to fill.
	Unjudged   []RepoReason `json:"unjudged"`
	Passing    int          `json:"passing"`
	Compliance float64      `json:"compliance"`
	MeanScore  float64      `json:"mean_score"`

	Aspects []AspectReport   `json:"aspects"`
	Rules   []RuleCompliance `json:"rules"`
	Teams   []Team           `json:"teams"`
	// FixTeams are offered fix pull requests when fixes.enabled; Build leaves it
	// empty for the caller to fill.
	FixTeams   []FixTeam      `json:"fix_teams,omitempty"`
	Furthest   []RepoStanding `json:"furthest"`
	Exemptions []ExemptionUse `json:"exemptions"`
	// ExpiredRepositoryExemptions are expired exemptions recorded in evaluations that
	// are not among the org file's current exemptions (a repository's own, or removed
	// from the org file since).
	ExpiredRepositoryExemptions []ExpiredExemptionUse `json:"expired_repository_exemptions"`
	// Problems are configuration and custom-rule problems the evaluations reported,
	// each with the repositories it was reported on.
	Problems []ProblemUse `json:"problems"`
	// Partial lists the repositories evaluated on part of their files (a request
	// budget or a limit reached), by name.
	Partial []RepoReason `json:"partial"`
	Trend   Trend        `json:"trend"`
}

// RepoReason is a repository and why the report singles it out: its evaluation
// saw only part of it (Report.Partial), or a sweep could not judge it at all
// (Report.Unjudged: an empty repository, a tree or blob GitHub would not serve
// after retries, a repository gone since the listing; it keeps its last
// evaluation, if any).
type RepoReason struct {
	Repository string `json:"repository"`
	Reason     string `json:"reason"`
}

// AspectReport is the maturity of one aspect, with the share of components whose own
// highest level is each level (Shares[L] = AtLevel[L] / Repositories). The ladder
// places components: its Repositories counts the components assessed, a
// repository without catalog Components being one.
type AspectReport struct {
	policies.AspectMaturity
	Shares [5]float64 `json:"shares"`
}

// RuleCompliance is how one rule fares across the organisation.
type RuleCompliance struct {
	Rule          string            `json:"rule"`
	Title         string            `json:"title"`
	Aspect        string            `json:"aspect"`
	Level         int               `json:"level"`
	Severity      policies.Severity `json:"severity"`
	Pass          int               `json:"pass"`
	Fail          int               `json:"fail"`
	Error         int               `json:"error"`
	Exempt        int               `json:"exempt"`
	NotApplicable int               `json:"not_applicable"`
	// NotJudged counts partial evaluations where the rule would fail on what was read.
	NotJudged int `json:"not_judged"`
	// Applicable = Pass + Fail + Error; exempted and not-applicable results are left out.
	Applicable int `json:"applicable"`
	// PassRate is Pass / Applicable, and 0 when Applicable is 0.
	PassRate float64 `json:"pass_rate"`
}

// Team is one owner's repositories: those where it owns a component. A
// repository whose components have three owners counts once for each, judged
// on what the team owns of it: its components and the repository rules.
type Team struct {
	Owner        string `json:"owner"`
	Repositories int    `json:"repositories"`
	// Components counts the team's components in those repositories.
	Components int `json:"components"`
	// Passing counts the repositories where what the team owns passes every
	// error-severity rule.
	Passing   int     `json:"passing"`
	MeanScore float64 `json:"mean_score"`
	// WorstRules are the rules failing most often in what the team owns (a
	// component rule once per component), most first.
	WorstRules []RuleFailures `json:"worst_rules"`
}

// RuleFailures counts a rule's failures.
type RuleFailures struct {
	Rule     string `json:"rule"`
	Failures int    `json:"failures"`
}

// RepoStanding is a repository far from the golden path.
type RepoStanding struct {
	Repository string  `json:"repository"`
	Owner      string  `json:"owner"`
	Score      float64 `json:"score"`
	// ErrorFailures counts failing error-severity rules.
	ErrorFailures int `json:"error_failures"`
	// Failing lists the failing rules, error severity first.
	Failing     []string  `json:"failing"`
	EvaluatedAt time.Time `json:"evaluated_at"`
	// Partial: the evaluation saw part of the repository (see Report.Partial).
	Partial bool `json:"partial,omitempty"`
}

// ExemptionUse is one exemption of the org file and the repositories it covers.
type ExemptionUse struct {
	Repositories []string `json:"repositories"` // globs
	Rules        []string `json:"rules"`
	Reason       string   `json:"reason"`
	Expires      string   `json:"expires,omitempty"` // YYYY-MM-DD, empty for never
	Expired      bool     `json:"expired"`
	// Matches are the report's repositories the globs match, sorted.
	Matches []string `json:"matches"`
}

// ExpiredExemptionUse is an expired exemption recorded on repositories' evaluations.
type ExpiredExemptionUse struct {
	policies.ExpiredExemption
	Repositories []string `json:"repositories"`
}

// ProblemUse is a configuration or custom-rule problem and where it was reported.
type ProblemUse struct {
	policies.Problem
	Repositories []string `json:"repositories"`
}

// Trend is this report against the earlier sweeps.
type Trend struct {
	// Points are the last sweeps, oldest first, ending with this report.
	Points []TrendPoint `json:"points"`
	// Previous is the latest earlier sweep, nil when there is none.
	Previous *SweepSummary `json:"previous"`
	// Delta compares this report with Previous; nil when there is none.
	Delta *Delta `json:"delta"`
}

// TrendPoint is one sweep on the trend chart.
type TrendPoint struct {
	At time.Time `json:"at"`
	// Repositories counts those the sweep listed, evaluated or not.
	Repositories int     `json:"repositories"`
	Passing      int     `json:"passing"`
	Compliance   float64 `json:"compliance"`
	// Aspects is the compliance per aspect; absent for sweeps recorded before it was kept.
	Aspects map[string]float64 `json:"aspects,omitempty"`
}

// Delta is the change since the previous sweep; each field is now minus then.
type Delta struct {
	Since time.Time `json:"since"`
	// Repositories is the change in repositories listed, evaluated or not.
	Repositories int `json:"repositories"`
	Passing      int `json:"passing"`
	// Compliance is in shares: 0.02 is two percentage points.
	Compliance float64 `json:"compliance"`
	// Levels has every aspect the previous sweep recorded, in the model's order.
	Levels []LevelChange `json:"levels"`
	// Rules are the rules whose pass rate moved, biggest move first.
	Rules []RuleChange `json:"rules"`
}

// LevelChange is an aspect's maturity level then and now.
type LevelChange struct {
	Aspect string `json:"aspect"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

// RuleChange is a rule's pass rate then and now.
type RuleChange struct {
	Rule   string  `json:"rule"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

// scoredRepo is one evaluated repository during Build.
type scoredRepo struct {
	name          string
	owner         string
	ev            *policies.Evaluation
	evaluatedAt   time.Time
	score         float64
	errorFailures int
	failed        int // fail or error results
}

type teamTally struct {
	owner      string
	repos      int
	components int
	passing    int
	score      float64
	fails      []int // by rule index
}

// add counts one repository for the team: what the team owns of it (its
// components, with the repository rules) and how that fares.
func (t *teamTally) add(results []policies.Result, score float64, passing bool, components int, ruleIndex map[string]int) {
	t.repos++
	t.components += components
	t.score += score
	if passing {
		t.passing++
	}
	for _, res := range results {
		if res.Status != policies.StatusFail {
			continue
		}
		ri := ruleIndex[res.Rule]
		for len(t.fails) <= ri {
			t.fails = append(t.fails, 0)
		}
		t.fails[ri]++
	}
}

// Build computes the report of org from the latest evaluations of its repositories,
// the org configuration (threshold and exemptions; nil means the defaults) and the
// summaries of earlier sweeps (any order; the latest is the one deltas compare with).
// now dates the report and decides which exemptions have expired. The result does not
// depend on the order of repos.
func Build(org string, repos []Repo, cfg *config.Org, history []SweepSummary, now time.Time) *Report {
	if cfg == nil {
		cfg = config.DefaultOrg()
	}
	threshold := cfg.Threshold
	if !(threshold > 0 && threshold <= 1) {
		threshold = config.DefaultThreshold
	}
	r := &Report{Org: org, GeneratedAt: now.UTC(), Threshold: threshold, Partial: []RepoReason{}, Unjudged: []RepoReason{}}

	scored := make([]scoredRepo, 0, len(repos))
	for _, rp := range repos {
		if rp.Evaluation == nil {
			r.NotEvaluated++
			continue
		}
		name := rp.Name
		if name == "" {
			name = rp.Evaluation.Repository
		}
		owner := rp.Owner
		if owner == "" {
			owner = rp.Evaluation.Owner
		}
		if owner == "" {
			owner = NoOwner
		}
		scored = append(scored, scoredRepo{name: name, owner: owner, ev: rp.Evaluation, evaluatedAt: rp.EvaluatedAt})
	}
	// A fixed order makes everything below deterministic (first-seen rule metadata,
	// ties), whatever order the caller loaded the repositories in.
	slices.SortFunc(scored, func(a, b scoredRepo) int {
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.owner, b.owner))
	})
	r.Repositories = len(scored)

	var (
		rules     []RuleCompliance
		ruleIndex = map[string]int{}
		teams     []teamTally
		teamIndex = map[string]int{}
		// One list of results per component: what the maturity ladder places.
		allResults = make([][]policies.Result, 0, len(scored))
		expired    = map[expiredKey][]string{}
		problems   = map[policies.Problem][]string{}
		// Repositories usually list the same rules in the same order: remember the
		// previous repository's positions to skip most map lookups.
		lastIDs  []string
		lastIdx  []int
		scoreSum float64
	)
	ruleOf := func(j int, res *policies.Result) *RuleCompliance {
		if j < len(lastIDs) && lastIDs[j] == res.Rule {
			return &rules[lastIdx[j]]
		}
		ri, ok := ruleIndex[res.Rule]
		if !ok {
			ri = len(rules)
			ruleIndex[res.Rule] = ri
			rules = append(rules, RuleCompliance{
				Rule: res.Rule, Title: res.Title, Aspect: res.Aspect, Level: res.Level, Severity: res.Severity,
			})
		}
		if j < len(lastIDs) {
			lastIDs[j], lastIdx[j] = res.Rule, ri
		} else {
			lastIDs, lastIdx = append(lastIDs, res.Rule), append(lastIdx, ri)
		}
		return &rules[ri]
	}
	// count adds results to the rules' compliance.
	count := func(results []policies.Result) {
		for j := range results {
			res := &results[j]
			rc := ruleOf(j, res)
			switch res.Status {
			case policies.StatusPass:
				rc.Pass++
			case policies.StatusFail:
				rc.Fail++
			case policies.StatusError:
				rc.Error++
			case policies.StatusSkip:
				switch {
				case res.Exempt:
					rc.Exempt++
				case res.NotJudged:
					rc.NotJudged++
				default:
					rc.NotApplicable++
				}
			}
		}
	}
	teamOf := func(owner string) *teamTally {
		ti, ok := teamIndex[owner]
		if !ok {
			ti = len(teams)
			teamIndex[owner] = ti
			teams = append(teams, teamTally{owner: owner})
		}
		return &teams[ti]
	}
	for i := range scored {
		s := &scored[i]
		ev := s.ev
		for _, res := range ev.Results {
			switch res.Status {
			case policies.StatusFail:
				s.failed++
				if res.Severity == policies.SeverityError {
					s.errorFailures++
				}
			case policies.StatusError:
				s.failed++
			}
		}
		sum := ev.Summary
		if sum == (policies.Summary{}) && len(ev.Results) > 0 {
			sum = policies.Summarize(ev.Results) // a hand-built evaluation without one
		}
		s.score = sum.Score
		scoreSum += s.score
		if s.errorFailures == 0 {
			r.Passing++
		}

		if len(ev.Components) <= 1 {
			// One component: the repository's results are its results.
			r.Components++
			count(ev.Results)
			allResults = append(allResults, ev.Results)
			teamOf(s.owner).add(ev.Results, s.score, s.errorFailures == 0, 1, ruleIndex)
		} else {
			// Repository rules count once, component rules once per component,
			// and each owner of a component counts the repository once.
			r.Components += len(ev.Components)
			repoRules := make([]policies.Result, 0, len(ev.Results))
			for _, res := range ev.Results {
				if res.Scope != policies.ScopeComponent {
					repoRules = append(repoRules, res)
				}
			}
			count(repoRules)
			var owners []string
			byOwner := map[string][]policies.Result{}
			ownedComponents := map[string]int{}
			for _, c := range ev.Components {
				count(c.Results)
				allResults = append(allResults, append(slices.Clip(repoRules), c.Results...))
				owner := cmp.Or(c.Owner, NoOwner)
				if _, ok := byOwner[owner]; !ok {
					owners = append(owners, owner)
					byOwner[owner] = slices.Clip(repoRules)
				}
				byOwner[owner] = append(byOwner[owner], c.Results...)
				ownedComponents[owner]++
			}
			for _, owner := range owners {
				view := byOwner[owner]
				passing := !slices.ContainsFunc(view, func(res policies.Result) bool { return res.FailsAt(policies.SeverityError) })
				teamOf(owner).add(view, policies.Summarize(view).Score, passing, ownedComponents[owner], ruleIndex)
			}
		}
		for _, p := range ev.Problems {
			problems[p] = append(problems[p], s.name)
		}
		if ev.Partial != "" {
			r.Partial = append(r.Partial, RepoReason{Repository: s.name, Reason: ev.Partial})
		}
		for _, x := range ev.ExpiredExemptions {
			k := expiredKey{x.Rule, x.Reason, x.Expires}
			expired[k] = append(expired[k], s.name)
		}
	}
	if r.Repositories > 0 {
		r.MeanScore = round1(scoreSum / float64(r.Repositories))
	}
	passTotal, applTotal := 0, 0
	for _, rc := range rules {
		passTotal += rc.Pass
		applTotal += rc.Pass + rc.Fail + rc.Error
	}
	if applTotal > 0 {
		r.Compliance = float64(passTotal) / float64(applTotal)
	}

	r.Aspects = aspects(allResults, threshold)
	r.Rules = ruleCompliance(rules)
	r.Teams = teamReports(teams, rules)
	r.Furthest = furthest(scored)
	r.Exemptions, r.ExpiredRepositoryExemptions = exemptions(cfg.Exemptions, scored, expired, now)
	r.Problems = problemUses(problems)
	slices.SortFunc(r.Partial, func(a, b RepoReason) int { return cmp.Compare(a.Repository, b.Repository) })
	r.Trend = trend(r, history)
	return r
}

func aspects(results [][]policies.Result, threshold float64) []AspectReport {
	out := make([]AspectReport, 0, len(policies.Aspects))
	for _, m := range policies.Maturity(results, threshold) {
		a := AspectReport{AspectMaturity: m}
		if m.Repositories > 0 {
			for l, n := range m.AtLevel {
				a.Shares[l] = float64(n) / float64(m.Repositories)
			}
		}
		out = append(out, a)
	}
	return out
}

// ruleCompliance sorts rules most severe first and, within a severity, worst
// first: lowest pass rate, then rules that applied nowhere, ties by ID.
func ruleCompliance(rules []RuleCompliance) []RuleCompliance {
	out := make([]RuleCompliance, len(rules))
	for i, rc := range rules {
		rc.Applicable = rc.Pass + rc.Fail + rc.Error
		if rc.Applicable > 0 {
			rc.PassRate = float64(rc.Pass) / float64(rc.Applicable)
		}
		out[i] = rc
	}
	slices.SortFunc(out, func(a, b RuleCompliance) int {
		if c := cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)); c != 0 {
			return c
		}
		if (a.Applicable == 0) != (b.Applicable == 0) {
			if a.Applicable == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.PassRate, b.PassRate), cmp.Compare(a.Rule, b.Rule))
	})
	return out
}

// teamReports sorts teams largest first, so a cut report keeps the teams that
// matter most; ties by name.
func teamReports(teams []teamTally, rules []RuleCompliance) []Team {
	out := make([]Team, 0, len(teams))
	for _, t := range teams {
		tr := Team{Owner: t.owner, Repositories: t.repos, Components: t.components, Passing: t.passing, MeanScore: round1(t.score / float64(t.repos))}
		worst := make([]RuleFailures, 0, len(t.fails))
		for ri, n := range t.fails {
			if n > 0 {
				worst = append(worst, RuleFailures{Rule: rules[ri].Rule, Failures: n})
			}
		}
		slices.SortFunc(worst, func(a, b RuleFailures) int {
			return cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(a.Rule, b.Rule))
		})
		tr.WorstRules = worst[:min(len(worst), WorstRulesPerTeam)]
		out = append(out, tr)
	}
	slices.SortFunc(out, func(a, b Team) int {
		return cmp.Or(cmp.Compare(b.Repositories, a.Repositories), cmp.Compare(a.Owner, b.Owner))
	})
	return out
}

// furthest ranks repositories with something failing: lowest score first, then most
// error-severity failures, ties by name.
func furthest(scored []scoredRepo) []RepoStanding {
	var cands []*scoredRepo
	for i := range scored {
		if scored[i].failed > 0 {
			cands = append(cands, &scored[i])
		}
	}
	slices.SortFunc(cands, func(a, b *scoredRepo) int {
		return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(b.errorFailures, a.errorFailures), cmp.Compare(a.name, b.name))
	})
	out := make([]RepoStanding, 0, min(len(cands), FurthestLimit))
	for _, s := range cands[:min(len(cands), FurthestLimit)] {
		var failing []policies.Result
		for _, res := range s.ev.Results {
			if res.Status == policies.StatusFail {
				failing = append(failing, res)
			}
		}
		slices.SortStableFunc(failing, func(a, b policies.Result) int {
			return cmp.Or(cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)), cmp.Compare(a.Rule, b.Rule))
		})
		ids := make([]string, len(failing))
		for i, f := range failing {
			ids[i] = f.Rule
		}
		out = append(out, RepoStanding{
			Repository: s.name, Owner: s.owner, Score: s.score, ErrorFailures: s.errorFailures,
			Failing: ids, EvaluatedAt: s.evaluatedAt, Partial: s.ev.Partial != "",
		})
	}
	return out
}

func severityRank(s policies.Severity) int {
	switch s {
	case policies.SeverityError:
		return 0
	case policies.SeverityWarning:
		return 1
	case policies.SeverityInfo:
		return 2
	}
	return 3
}

type expiredKey struct{ rule, reason, expires string }

// exemptions lists the org file's exemptions with the repositories they match, and
// the expired exemptions recorded in evaluations that none of them accounts for.
func exemptions(list []config.Exemption, scored []scoredRepo, expired map[expiredKey][]string, now time.Time) ([]ExemptionUse, []ExpiredExemptionUse) {
	out := make([]ExemptionUse, 0, len(list))
	for i := range list {
		e := &list[i]
		use := ExemptionUse{
			Repositories: nonNil(e.Repositories), Rules: nonNil(e.Rules), Reason: e.Reason,
			Expires: e.Expires.String(), Expired: e.Expired(now), Matches: []string{},
		}
		if len(e.Rules) > 0 {
			one := list[i : i+1]
			for _, s := range scored {
				// Matching on one of its own rules asks only whether the globs match.
				if ex, _ := config.MatchExemption(one, s.name, e.Rules[0], now); ex != nil {
					use.Matches = append(use.Matches, s.name)
				}
			}
			var matched map[string]bool
			for k := range expired {
				if k.reason != e.Reason || k.expires != use.Expires || !slices.Contains(e.Rules, k.rule) {
					continue
				}
				if matched == nil {
					matched = make(map[string]bool, len(use.Matches))
					for _, name := range use.Matches {
						matched[name] = true
					}
				}
				// The org exemption already lists these repositories, flagged expired.
				expired[k] = slices.DeleteFunc(expired[k], func(name string) bool { return matched[name] })
			}
		}
		out = append(out, use)
	}

	others := make([]ExpiredExemptionUse, 0, len(expired))
	for k, names := range expired {
		if len(names) == 0 {
			continue
		}
		others = append(others, ExpiredExemptionUse{
			ExpiredExemption: policies.ExpiredExemption{Rule: k.rule, Reason: k.reason, Expires: k.expires},
			Repositories:     names, // already sorted: scored is
		})
	}
	slices.SortFunc(others, func(a, b ExpiredExemptionUse) int {
		return cmp.Or(cmp.Compare(a.Expires, b.Expires), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Reason, b.Reason))
	})
	return out, others
}

// problemUses lists the most widespread problems first.
func problemUses(problems map[policies.Problem][]string) []ProblemUse {
	out := make([]ProblemUse, 0, len(problems))
	for p, names := range problems {
		out = append(out, ProblemUse{Problem: p, Repositories: names}) // sorted: scored is
	}
	slices.SortFunc(out, func(a, b ProblemUse) int {
		return cmp.Or(cmp.Compare(len(b.Repositories), len(a.Repositories)), cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Line, b.Line), cmp.Compare(a.Message, b.Message))
	})
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Summary is this report as a sweep record, for the history of later reports. The
// sweep fields come from r.Sweep when the caller filled it; otherwise both times are
// GeneratedAt and Repositories counts the repositories given to Build.
func (r *Report) Summary() SweepSummary {
	s := SweepSummary{
		StartedAt: r.GeneratedAt, FinishedAt: r.GeneratedAt, Repositories: r.listed(),
		Levels: make(map[string]int, len(r.Aspects)), Compliance: r.Compliance, Passing: r.Passing,
		RulePassRates: make(map[string]float64, len(r.Rules)), AspectCompliance: aspectCompliance(r.Rules),
	}
	if r.Sweep != nil {
		s.StartedAt, s.FinishedAt = r.Sweep.StartedAt, r.Sweep.FinishedAt
		s.Repositories, s.Evaluated, s.Unchanged = r.Sweep.Repositories, r.Sweep.Evaluated, r.Sweep.Unchanged
	}
	for _, a := range r.Aspects {
		s.Levels[a.Aspect] = a.Level
	}
	for _, rc := range r.Rules {
		if rc.Applicable > 0 {
			s.RulePassRates[rc.Rule] = rc.PassRate
		}
	}
	return s
}

// aspectCompliance is the share of applicable rule results that pass, per aspect
// with at least one.
func aspectCompliance(rules []RuleCompliance) map[string]float64 {
	pass, appl := map[string]int{}, map[string]int{}
	for _, rc := range rules {
		pass[rc.Aspect] += rc.Pass
		appl[rc.Aspect] += rc.Pass + rc.Fail + rc.Error
	}
	out := make(map[string]float64, len(appl))
	for aspect, n := range appl {
		if n > 0 {
			out[aspect] = float64(pass[aspect]) / float64(n)
		}
	}
	return out
}

// listed counts the repositories given to Build, evaluated or not, as a sweep's
// Repositories does.
func (r *Report) listed() int { return r.Repositories + r.NotEvaluated }

func trend(r *Report, history []SweepSummary) Trend {
	past := slices.Clone(history)
	slices.SortStableFunc(past, func(a, b SweepSummary) int { return a.at().Compare(b.at()) })
	past = past[max(0, len(past)-(TrendPoints-1)):]

	t := Trend{Points: make([]TrendPoint, 0, len(past)+1)}
	for _, s := range past {
		t.Points = append(t.Points, TrendPoint{At: s.at().UTC(), Repositories: s.Repositories, Passing: s.Passing, Compliance: s.Compliance, Aspects: s.AspectCompliance})
	}
	t.Points = append(t.Points, TrendPoint{At: r.GeneratedAt, Repositories: r.listed(), Passing: r.Passing, Compliance: r.Compliance, Aspects: aspectCompliance(r.Rules)})
	if len(past) == 0 {
		return t
	}
	prev := past[len(past)-1]
	t.Previous = &prev
	d := &Delta{
		Since:        prev.at().UTC(),
		Repositories: r.listed() - prev.Repositories,
		Passing:      r.Passing - prev.Passing,
		Compliance:   r.Compliance - prev.Compliance,
		Levels:       []LevelChange{},
		Rules:        []RuleChange{},
	}
	for _, a := range r.Aspects {
		if before, ok := prev.Levels[a.Aspect]; ok {
			d.Levels = append(d.Levels, LevelChange{Aspect: a.Aspect, Before: before, After: a.Level})
		}
	}
	for _, rc := range r.Rules {
		before, ok := prev.RulePassRates[rc.Rule]
		if ok && rc.Applicable > 0 && before != rc.PassRate {
			d.Rules = append(d.Rules, RuleChange{Rule: rc.Rule, Before: before, After: rc.PassRate})
		}
	}
	slices.SortFunc(d.Rules, func(a, b RuleChange) int {
		return cmp.Or(cmp.Compare(abs(b.After-b.Before), abs(a.After-a.Before)), cmp.Compare(a.Rule, b.Rule))
	})
	t.Delta = d
	return t
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }
