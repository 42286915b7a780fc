package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
)

// TestOutcomeRoundTrip: outcomes with components (and rows of the format
// before them) come back from the database byte for byte and decode to the
// components stored.
func TestOutcomeRoundTrip(t *testing.T) {
	result := func(rule string, scope string, status policies.Status) policies.Result {
		return policies.Result{Rule: rule, Title: rule, Aspect: "adoption", Level: 1, Severity: policies.SeverityWarning, Scope: scope, Status: status}
	}
	readme := func(s policies.Status) policies.Result { return result("docs.readme", policies.ScopeComponent, s) }
	mono := &policies.Evaluation{Schema: 2, Repository: "acme/shop", ComponentType: "service", Owner: "team-pay",
		Results: []policies.Result{result("security.policy", policies.ScopeRepository, policies.StatusPass), readme(policies.StatusFail)},
		Components: []policies.Component{
			{Name: "payments", Ref: "component:default/payments", Path: "services/payments", Type: "service", Owner: "team-pay", Results: []policies.Result{readme(policies.StatusPass)}},
			{Name: "ledger", Ref: "component:default/ledger", Path: "services/ledger", Type: "service", Owner: "team \"ledger\"\n", Results: []policies.Result{readme(policies.StatusFail)}},
			{Name: "web", Ref: "component:default/web", Path: "web", Type: "website", Owner: "", Results: []policies.Result{readme(policies.StatusPass)}},
		}}
	mono.Summary = policies.Summarize(mono.Results)
	lone := &policies.Evaluation{Schema: 2, Repository: "acme/tool", ComponentType: "library", Owner: "@acme/tools",
		Results:    []policies.Result{readme(policies.StatusPass), result("security.policy", policies.ScopeRepository, policies.StatusFail)},
		Components: []policies.Component{{Name: "tool", Path: ".", Type: "library", Owner: "@acme/tools", Results: []policies.Result{readme(policies.StatusPass)}}}}
	lone.Summary = policies.Summarize(lone.Results)

	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		at := time.UnixMilli(1_780_000_000_000).UTC()
		want := map[string][]byte{"old": []byte("o1\n\"team-a\" \"service\"\n1 0 0 0 0 1 100\npw11- docs.readme\n")}
		for i, ev := range []*policies.Evaluation{mono, lone} {
			data, err := EncodeOutcome(ev)
			if err != nil {
				t.Fatal(err)
			}
			name := ev.Repository[len("acme/"):]
			want[name] = data
			err = s.SaveRepoState(ctx, RepoState{RepoID: int64(i + 1), InstallationID: 7, Owner: "acme", Name: name, DefaultBranch: "main",
				PushedAt: at, TreeSHA: "t", PolicyDigest: "p", ConfigDigest: "c", Evaluation: ev, EvaluatedAt: at})
			if err != nil {
				t.Fatal(err)
			}
		}
		// A row a version before components left.
		if err := s.SaveRepoState(ctx, RepoState{RepoID: 3, InstallationID: 7, Owner: "acme", Name: "old", DefaultBranch: "main",
			PushedAt: at, TreeSHA: "t", PolicyDigest: "p", ConfigDigest: "c", EvaluatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.q.exec(ctx, `UPDATE repositories SET outcome = $1 WHERE repo_id = 3`, want["old"]); err != nil {
			t.Fatal(err)
		}
		dec := NewOutcomeDecoder(nil)
		got := map[string]*policies.Evaluation{}
		err := s.RepoStates(ctx, "acme", func(r RepoState) error {
			if string(r.Outcome) != string(want[r.Name]) {
				t.Errorf("%s: stored\n%q\nread back\n%q", r.Name, want[r.Name], r.Outcome)
			}
			ev, err := dec.Decode(r.Outcome)
			got[r.Name] = ev
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		type comp struct{ Name, Ref, Path, Type, Owner, Readme string }
		components := func(ev *policies.Evaluation) string {
			var out []comp
			for _, c := range ev.Components {
				out = append(out, comp{c.Name, c.Ref, c.Path, c.Type, c.Owner, string(c.Results[0].Status)})
			}
			b, _ := json.Marshal(out)
			return string(b)
		}
		for name, ev := range map[string]*policies.Evaluation{"shop": mono, "tool": lone} {
			if g, w := components(got[name]), components(ev); g != w {
				t.Errorf("%s: components\n got %s\nwant %s", name, g, w)
			}
		}
		if old := got["old"]; old.Owner != "team-a" || len(old.Results) != 1 || len(old.Components) != 0 {
			t.Errorf("old row decoded as %+v", old)
		}
	})
}
