package jobs

import (
	"fmt"
	"testing"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
)

func TestRuleImpacts(t *testing.T) {
	res := func(rule string, sev policies.Severity, st policies.Status) policies.Result {
		return policies.Result{Rule: rule, Severity: sev, Status: st, Aspect: "operations", Level: 1}
	}
	const (
		e, w             = policies.SeverityError, policies.SeverityWarning
		pass, fail, skip = policies.StatusPass, policies.StatusFail, policies.StatusSkip
	)
	disabling := func(rules ...string) *config.Org {
		o := config.DefaultOrg()
		o.Rules.Disable = rules
		return o
	}
	blockingOrg := config.DefaultOrg()
	blockingOrg.Enforcement = config.EnforcementBlocking
	tests := []struct {
		name      string
		results   []outcomes
		cur, next *config.Org
		want      string
	}{
		{"nothing changes", []outcomes{{"a", []policies.Result{res("r", e, pass)}, []policies.Result{res("r", e, pass)}}},
			config.DefaultOrg(), config.DefaultOrg(), "[]"},
		{"severity raised flips nobody", []outcomes{{"a", []policies.Result{res("r", w, fail)}, []policies.Result{res("r", e, fail)}}},
			config.DefaultOrg(), config.DefaultOrg(), "[{r warning error [] [] [a] []}]"},
		{"severity raised in blocking mode turns the check", []outcomes{
			{"a", []policies.Result{res("r", w, fail)}, []policies.Result{res("r", e, fail)}},
			{"b", []policies.Result{res("r", w, pass)}, []policies.Result{res("r", e, pass)}},
		}, blockingOrg, blockingOrg, "[{r warning error [] [] [a] [{neutral failure [a]}]}]"},
		{"rule enabled", []outcomes{
			{"a", []policies.Result{res("r", w, skip)}, []policies.Result{res("r", w, fail)}},
			{"b", []policies.Result{res("r", w, skip)}, []policies.Result{res("r", w, pass)}},
		}, disabling("r"), config.DefaultOrg(), "[{r  warning [a] [] [] [{success neutral [a]}]}]"},
		{"rule disabled", []outcomes{{"a", []policies.Result{res("r", e, fail)}, []policies.Result{res("r", e, skip)}}},
			config.DefaultOrg(), disabling("r"), "[{r error  [] [a] [] [{neutral success [a]}]}]"},
		{"rule removed with its module", []outcomes{{"a", []policies.Result{res("c", e, fail)}, nil}},
			config.DefaultOrg(), config.DefaultOrg(), "[{c error  [] [a] [] [{neutral success [a]}]}]"},
		{"errors count as failing", []outcomes{{"a", []policies.Result{res("r", e, policies.StatusError)}, []policies.Result{res("r", e, fail)}}},
			config.DefaultOrg(), config.DefaultOrg(), "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(ruleImpacts(tt.results, tt.cur, tt.next)); got != tt.want {
				t.Fatalf("ruleImpacts = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCheckChanges(t *testing.T) {
	res := func(sev policies.Severity, st policies.Status) []policies.Result {
		return []policies.Result{{Rule: "r", Severity: sev, Status: st, Aspect: "operations", Level: 1}}
	}
	const e, w = policies.SeverityError, policies.SeverityWarning
	const pass, fail = policies.StatusPass, policies.StatusFail
	results := []outcomes{
		{"a", res(e, fail), res(e, fail)},
		{"b", res(w, fail), res(e, fail)},
		{"c", res(e, pass), res(e, pass)},
		{"d", res(w, fail), res(w, pass)},
	}
	tests := []struct {
		name                        string
		blockingBefore, blockingNow bool
		want                        string
	}{
		{"advisory stays", false, false, "[{neutral success [d]}]"},
		{"to blocking", false, true, "[{neutral failure [a b]} {neutral success [d]}]"},
		{"to advisory", true, false, "[{failure neutral [a]} {neutral success [d]}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(checkChanges(results, tt.blockingBefore, tt.blockingNow)); got != tt.want {
				t.Fatalf("checkChanges = %s, want %s", got, tt.want)
			}
		})
	}
}
