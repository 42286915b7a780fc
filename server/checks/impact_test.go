package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
)

func TestImpactSummary(t *testing.T) {
	many := make([]string, 143)
	for i := range many {
		many[i] = fmt.Sprintf("svc-%03d", i)
	}
	tests := []struct {
		name   string
		impact Impact
		want   []string // each must appear, in this order
		absent []string
	}{
		{
			name:   "nothing changes",
			impact: Impact{Repositories: 12, Unswept: 1},
			want:   []string{"Re-evaluated 12 repositories", "(1 repository not swept yet left out)", "No repository would change outcome."},
			absent: []string{"<details>", "| Aspect", "enforcement"},
		},
		{
			name: "severity raised under blocking: scores and checks move, nothing flips",
			impact: Impact{Repositories: 15,
				Enforcement:       &ModeChange{From: "advisory", To: "blocking"},
				EnforcementChecks: []CheckChange{{From: "neutral", To: "failure", Repositories: []string{"a", "b"}}},
				Checks:            []CheckChange{{From: "neutral", To: "failure", Repositories: []string{"a", "b", "c", "d"}}},
				Rules: []RuleImpact{{Rule: "catalog.owner", From: policies.SeverityWarning, To: policies.SeverityError,
					Failing: []string{"a", "b", "c", "d"},
					Checks:  []CheckChange{{From: "neutral", To: "failure", Repositories: []string{"a", "b", "c", "d"}}}}}},
			want: []string{
				"- `enforcement` becomes `blocking`: 2 repositories' checks go from neutral to failure\n",
				"- `catalog.owner` becomes `error`: 4 repositories fail it, now at `error`: 4 repositories' checks go from neutral to failure\n",
				"**Checks:** 4 repositories go from neutral to failure.",
				"- check neutral → failure: `a`, `b`, `c`, `d`",
				"- `catalog.owner` fails, now at `error`: `a`",
			},
			absent: []string{"No repository would change outcome", "would fail"},
		},
		{
			name:   "to blocking with no error failures",
			impact: Impact{Repositories: 3, Enforcement: &ModeChange{From: "advisory", To: "blocking"}},
			want:   []string{"- `enforcement` becomes `blocking`: no check changes (no repository fails an error-severity rule)\n", "No repository would change outcome."},
		},
		{
			name: "mixed transitions",
			impact: Impact{Repositories: 3, Checks: []CheckChange{
				{From: "neutral", To: "failure", Repositories: []string{"a"}},
				{From: "neutral", To: "success", Repositories: []string{"b", "c"}},
			}, Rules: []RuleImpact{{Rule: "x.y", From: policies.SeverityError, To: policies.SeverityError, ToFail: []string{"a"}, ToPass: []string{"b", "c"},
				Checks: []CheckChange{{From: "neutral", To: "failure", Repositories: []string{"a"}}, {From: "neutral", To: "success", Repositories: []string{"b", "c"}}}}}},
			want: []string{
				"- `x.y`: 1 repository would fail, 2 repositories would pass: checks change: 1 repository goes from neutral to failure, 2 repositories go from neutral to success\n",
				"**Checks:** 1 repository goes from neutral to failure, 2 repositories go from neutral to success.",
			},
		},
		{
			name: "severity raised",
			impact: Impact{Repositories: 150, Rules: []RuleImpact{
				{Rule: "catalog.owner", From: policies.SeverityWarning, To: policies.SeverityError, ToFail: many},
			}, Aspects: []AspectImpact{{Aspect: "adoption", From: 2, To: 1, Assessed: 4, Down: many}}},
			want: []string{
				"- `catalog.owner` becomes `error`: 143 repositories would fail\n",
				"| adoption | operationalized → **provisional** | 143 | 0 |",
				"<details><summary>Which repositories</summary>",
				"- `catalog.owner` would fail: `svc-000`, ", "`svc-019` and 123 more\n",
				"- adoption level down: `svc-000`",
			},
			absent: []string{"`svc-020`"},
		},
		{
			name: "levels above the highest assessed one are named",
			impact: Impact{Repositories: 3, Aspects: []AspectImpact{
				{Aspect: "measurement", From: 3, To: 2, Assessed: 2, Up: []string{"web"}},
				{Aspect: "interfaces", From: 1, To: 0, Assessed: 0},
			}},
			want: []string{
				"| measurement | scalable → **operationalized** (not assessed above operationalized) | 0 | 1 |",
				"| interfaces | provisional → **none** (no level assessed) | 0 | 0 |",
			},
		},
		{
			name: "rule added and rule removed",
			impact: Impact{Repositories: 2, Rules: []RuleImpact{
				{Rule: "custom.x", To: policies.SeverityInfo, ToFail: []string{"web"}},
				{Rule: "docs.readme", From: policies.SeverityError, ToPass: []string{"api", "web"}},
			}},
			want: []string{
				"- `custom.x` (new, `info`): 1 repository would fail\n",
				"- `docs.readme` is no longer in force: 2 repositories would pass\n",
			},
		},
		{
			name: "hostile names stay inert",
			impact: Impact{Repositories: 1, Rules: []RuleImpact{
				{Rule: "a.b", From: policies.SeverityError, To: policies.SeverityError, ToFail: []string{"x`@team<b>"}},
			}},
			want:   []string{"- `a.b`: 1 repository would fail\n", "`x'@\u200bteam<b>`"},
			absent: []string{"@team"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ImpactSummary(&tt.impact)
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("summary lacks %q (in order):\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Fatalf("summary has %q:\n%s", a, got)
				}
			}
		})
	}
}
