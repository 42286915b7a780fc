package jobs

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/checks"
	"github.com/goldenpath/goldenpath/server/store"
)

// outcomes is one repository's results under both configurations.
type outcomes struct {
	name         string
	before, next []policies.Result
}

// impact is what a proposed configuration would change across an organisation:
// every swept repository of owner evaluated under the current and the proposed
// configuration, from its stored listing. No tree is listed, and only blobs that
// the proposed rules read and nothing read before are fetched. The stored outcome
// stands for the current evaluation when it was made under the current rules and
// configuration.
func (j *judge) impact(ctx context.Context, org target, cur, next *evaluation.Org) (*checks.Impact, error) {
	inst, owner := org.inst, org.owner
	curEng, err := j.evaluations.Engine(ctx, cur.Custom)
	if err != nil {
		return nil, err
	}
	var states []store.RepoState
	if err := j.store.RepoStates(ctx, owner, func(s store.RepoState) error { states = append(states, s); return nil }); err != nil {
		return nil, err
	}
	var (
		mu      sync.Mutex
		out     = &checks.Impact{}
		results []outcomes
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, st := range states {
		g.Go(func() error {
			snap, repo := j.storedSnapshot(gctx, inst, st)
			if snap == nil {
				mu.Lock()
				out.Unswept++
				mu.Unlock()
				return nil
			}
			o := outcomes{name: st.Name}
			var stored *policies.Evaluation
			if st.PolicyDigest == curEng.Digest() && st.ConfigDigest == cur.Config.Digest() && len(st.Outcome) > 0 {
				stored, _ = store.NewOutcomeDecoder(nil).Decode(st.Outcome) // re-evaluated below when unreadable
			}
			if stored != nil {
				o.before = stored.Results
			} else {
				ev, err := j.evaluateStored(gctx, org, cur, snap, repo)
				if err != nil {
					return err
				}
				o.before = ev.Results
			}
			ev, err := j.evaluateStored(gctx, org, next, snap, repo)
			if err != nil {
				return err
			}
			o.next = ev.Results
			mu.Lock()
			results = append(results, o)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(results, func(a, b outcomes) int { return strings.Compare(a.name, b.name) })
	out.Repositories = len(results)
	out.Checks = checkChanges(results, blocking(cur.Config), blocking(next.Config))
	if cur.Config.Enforcement != next.Config.Enforcement {
		out.Enforcement = &checks.ModeChange{From: cur.Config.Enforcement, To: next.Config.Enforcement}
		// The mode's own effect: the proposed rules under the current mode and under the proposed one.
		out.EnforcementChecks = checkChanges(withBefore(results, func(o outcomes) []policies.Result { return o.next }), blocking(cur.Config), blocking(next.Config))
	}
	out.Rules = ruleImpacts(results, cur.Config, next.Config)
	out.Aspects = aspectImpacts(results, cur.Config.Threshold, next.Config.Threshold)
	return out, nil
}

// evaluateStored evaluates a stored snapshot under one configuration.
func (j *judge) evaluateStored(ctx context.Context, org target, oc *evaluation.Org, snap policies.Snapshot, repo policies.Repository) (*policies.Evaluation, error) {
	t := target{inst: org.inst, instID: org.instID, owner: repo.Owner, repo: repo.Name, defaultBranch: repo.DefaultBranch}
	override, err := j.override(ctx, t, oc.Config, nil)
	if err != nil {
		return nil, err
	}
	res, err := j.evaluate(ctx, snap, oc, override, repo)
	return res.Evaluation, err
}

// failing is what counts against a repository: a failed or errored rule.
func failing(s policies.Status) bool { return s == policies.StatusFail || s == policies.StatusError }

func blocking(org *config.Org) bool { return org.Enforcement == config.EnforcementBlocking }

// conclusion is the check conclusion a repository's results give (configuration
// problems aside: the proposed configuration is valid when it is previewed).
func conclusion(results []policies.Result, blocking bool) string {
	return checks.Conclusion(&policies.Evaluation{Results: results, Summary: policies.Summarize(results)}, blocking)
}

// withBefore replaces each repository's results before the change.
func withBefore(results []outcomes, before func(outcomes) []policies.Result) []outcomes {
	out := make([]outcomes, len(results))
	for i, o := range results {
		out[i] = outcomes{name: o.name, before: before(o), next: o.next}
	}
	return out
}

// checkOrder sorts transitions: the ones that hurt (towards failure) first.
var checkOrder = map[string]int{"failure": 0, "neutral": 1, "success": 2}

// checkChanges groups the repositories whose check conclusion changes by
// transition, those that turn worse first.
func checkChanges(results []outcomes, blockingBefore, blockingNext bool) []checks.CheckChange {
	byChange := map[[2]string][]string{}
	for _, o := range results {
		from, to := conclusion(o.before, blockingBefore), conclusion(o.next, blockingNext)
		if from != to {
			byChange[[2]string{from, to}] = append(byChange[[2]string{from, to}], o.name)
		}
	}
	var out []checks.CheckChange
	for k, names := range byChange {
		out = append(out, checks.CheckChange{From: k[0], To: k[1], Repositories: names})
	}
	sortChecks(out)
	return out
}

func sortChecks(c []checks.CheckChange) {
	slices.SortFunc(c, func(a, b checks.CheckChange) int {
		if d := checkOrder[a.To] - checkOrder[b.To]; d != 0 {
			return d
		}
		return checkOrder[a.From] - checkOrder[b.From]
	})
}

// ruleImpacts compares outcomes rule by rule. A disabled rule still has a (skipped)
// result; its severity shows as "" (not in force).
func ruleImpacts(results []outcomes, cur, next *config.Org) []checks.RuleImpact {
	inForce := func(org *config.Org, r policies.Result) policies.Severity {
		if org.Disabled(r.Rule) {
			return ""
		}
		return r.Severity
	}
	byRule := map[string]*checks.RuleImpact{}
	get := func(r policies.Result) *checks.RuleImpact {
		ri, ok := byRule[r.Rule]
		if !ok {
			ri = &checks.RuleImpact{Rule: r.Rule}
			byRule[r.Rule] = ri
		}
		return ri
	}
	// The repositories failing a rule before or after, whose check turns, by rule.
	turned := map[string]map[[2]string][]string{}
	for _, o := range results {
		from, to := conclusion(o.before, blocking(cur)), conclusion(o.next, blocking(next))
		concerns := func(rule string) {
			if from == to {
				return
			}
			if turned[rule] == nil {
				turned[rule] = map[[2]string][]string{}
			}
			turned[rule][[2]string{from, to}] = append(turned[rule][[2]string{from, to}], o.name)
		}
		before := map[string]policies.Result{}
		for _, r := range o.before {
			before[r.Rule] = r
			get(r).From = inForce(cur, r)
		}
		seen := map[string]bool{}
		for _, r := range o.next {
			seen[r.Rule] = true
			ri := get(r)
			ri.To = inForce(next, r)
			b, had := before[r.Rule]
			switch {
			case failing(r.Status) && (!had || !failing(b.Status)):
				ri.ToFail = append(ri.ToFail, o.name)
				concerns(r.Rule)
			case !failing(r.Status) && had && failing(b.Status):
				ri.ToPass = append(ri.ToPass, o.name)
				concerns(r.Rule)
			case failing(r.Status) && had && b.Severity != r.Severity:
				ri.Failing = append(ri.Failing, o.name)
				concerns(r.Rule)
			}
		}
		for rule, b := range before {
			if !seen[rule] && failing(b.Status) {
				byRule[rule].ToPass = append(byRule[rule].ToPass, o.name)
				concerns(rule)
			}
		}
	}
	var out []checks.RuleImpact
	for _, ri := range byRule {
		if len(ri.ToFail) > 0 || len(ri.ToPass) > 0 || ri.From != ri.To {
			for k, names := range turned[ri.Rule] {
				ri.Checks = append(ri.Checks, checks.CheckChange{From: k[0], To: k[1], Repositories: names})
			}
			sortChecks(ri.Checks)
			out = append(out, *ri)
		}
	}
	slices.SortFunc(out, func(a, b checks.RuleImpact) int { return strings.Compare(a.Rule, b.Rule) })
	return out
}

func aspectImpacts(results []outcomes, thresholdBefore, thresholdNext float64) []checks.AspectImpact {
	before := make([][]policies.Result, len(results))
	next := make([][]policies.Result, len(results))
	for i, o := range results {
		before[i], next[i] = o.before, o.next
	}
	from := policies.Maturity(before, thresholdBefore)
	to := policies.Maturity(next, thresholdNext)
	levels := make([][2]map[string]int, len(results))
	for i, o := range results {
		levels[i] = [2]map[string]int{policies.AspectLevels(o.before), policies.AspectLevels(o.next)}
	}
	out := make([]checks.AspectImpact, 0, len(from))
	for i, m := range from {
		ai := checks.AspectImpact{Aspect: m.Aspect, From: m.Level, To: to[i].Level, Assessed: to[i].HighestAssessed()}
		for j, o := range results {
			b, n := levels[j][0][m.Aspect], levels[j][1][m.Aspect]
			switch {
			case n < b:
				ai.Down = append(ai.Down, o.name)
			case n > b:
				ai.Up = append(ai.Up, o.name)
			}
		}
		if ai.From != ai.To || len(ai.Down) > 0 || len(ai.Up) > 0 {
			out = append(out, ai)
		}
	}
	return out
}
