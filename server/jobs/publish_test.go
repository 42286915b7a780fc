package jobs

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// TestReportBackfillsOutcomes: a repository stored before outcomes were kept is
// reported from its full evaluation; the JSON API's report (a GET) leaves it so,
// and the publishing job stores the outcome the next reports read.
func TestReportBackfillsOutcomes(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, storetest.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev := policies.Evaluation{Schema: 1, Repository: "acme/web", Owner: "team-web", Results: []policies.Result{
		{Rule: "docs.readme", Title: "README explains the component", Aspect: "adoption", Level: 1, Severity: policies.SeverityWarning, Status: policies.StatusFail, Message: "no README"},
	}}
	ev.Summary = policies.Summarize(ev.Results)
	raw, _ := json.Marshal(ev)
	now := time.Now().UTC()
	if err := st.SaveRepoState(ctx, store.RepoState{RepoID: 1, InstallationID: 7, Owner: "acme", Name: "web", DefaultBranch: "main",
		PushedAt: now, TreeSHA: "t", Evaluation: raw, EvaluatedAt: now}); err != nil {
		t.Fatal(err)
	}
	e := &Evaluator{Store: st, Settings: Settings{ConfigRepo: ".github", ConfigPath: "golden-path.yaml", Limits: policies.DefaultLimits()}}
	for range 2 {
		rep, found, err := e.Report(ctx, "acme")
		if err != nil || !found || rep.Repositories != 1 || len(rep.Rules) != 1 || rep.Rules[0].Fail != 1 || rep.Rules[0].Title != "README explains the component" {
			t.Fatalf("report: found %v, %v, %+v", found, err, rep)
		}
	}
	outcome := func() []byte {
		var o []byte
		_ = st.RepoStates(ctx, "acme", false, func(s store.RepoState) error { o = s.Outcome; return nil })
		return o
	}
	if o := outcome(); len(o) != 0 {
		t.Fatalf("the API's report wrote the outcome %q", o)
	}
	if _, err := e.buildReport(ctx, "acme", &evaluation.Org{Config: config.DefaultOrg()}, true); err != nil {
		t.Fatal(err)
	}
	if len(outcome()) == 0 {
		t.Fatal("the outcome was not stored by the publishing job's report")
	}
	rep, _, err := e.Report(ctx, "acme")
	if err != nil || rep.Rules[0].Fail != 1 {
		t.Fatalf("report from the stored outcome: %v, %+v", err, rep)
	}
}
