package jobs

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// saveOutcome stores repository id of acme, owned by team and failing rule.
func saveOutcome(t *testing.T, w *world, id int64, team, rule string) {
	t.Helper()
	ev := &policies.Evaluation{Schema: 1, Repository: fmt.Sprintf("acme/r%d", id), Owner: team, Results: []policies.Result{
		{Rule: rule, Title: rule, Severity: policies.SeverityWarning, Status: policies.StatusFail}}}
	ev.Summary = policies.Summarize(ev.Results)
	now := time.Now().UTC()
	if err := w.store.SaveRepoState(t.Context(), store.RepoState{RepoID: id, InstallationID: testInstallation, Owner: "acme",
		Name: fmt.Sprintf("r%d", id), DefaultBranch: "main", PushedAt: now, TreeSHA: "t", EvaluatedAt: now, Evaluation: ev}); err != nil {
		t.Fatal(err)
	}
}

// TestFixTeam: a team's request queues a fix job for each of its repositories
// failing a rule the app may fix, as many now as the budget above the reserve
// affords and the rest at the reset.
func TestFixTeam(t *testing.T) {
	ctx := t.Context()
	w := newWorld(t)
	w.setOrgConfig("fixes:\n  enabled: true\n")
	saveOutcome(t, w, 1, "team-a", "security.policy")
	saveOutcome(t, w, 2, "team-a", "security.policy")
	saveOutcome(t, w, 3, "team-a", "ci.present") // no fix for it
	saveOutcome(t, w, 4, "team-b", "security.policy")
	reset := time.Now().Add(30 * time.Minute).Truncate(time.Second)
	w.inst.Remaining, w.inst.Reset, w.inst.RateKnown = ghport.RateReserve+fixRequestCost, reset, true

	a := jobargs.FixTeamArgs{InstallationID: testInstallation, Owner: "acme", Label: report.FixLabel("team-a")}
	if err := w.fixTeamWorker().Work(ctx, jobOf(a, 1, 5)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range w.queued(t, jobargs.FixArgs{}.Kind()) {
		var fa jobargs.FixArgs
		if err := json.Unmarshal(j.EncodedArgs, &fa); err != nil {
			t.Fatal(err)
		}
		when := "now"
		if j.ScheduledAt.After(time.Now().Add(time.Minute)) {
			when = "at " + j.ScheduledAt.Sub(reset).String() + " past the reset"
		}
		got = append(got, fmt.Sprintf("%s for %s %s", fa.Repo, fa.Team, when))
	}
	if want := "[r1 for team-a now r2 for team-a at 0s past the reset]"; fmt.Sprint(got) != want {
		t.Errorf("fix jobs %v, want %s", got, want)
	}
	runs, err := w.store.FixRuns(ctx, "acme")
	if err != nil || len(runs) != 1 || runs[0].Total != 2 {
		t.Errorf("fix runs = %+v, %v, want one of 2", runs, err)
	}
	if len(w.queued(t, jobargs.PublishArgs{}.Kind())) != 1 {
		t.Error("the report was not asked for")
	}
}

// TestFixTeamCap: one request opens at most MaxFixPullsPerRun pull requests.
func TestFixTeamCap(t *testing.T) {
	w := newWorld(t)
	w.setOrgConfig("fixes:\n  enabled: true\n")
	for id := range int64(MaxFixPullsPerRun + 1) {
		saveOutcome(t, w, id+1, "team-a", "security.policy")
	}
	a := jobargs.FixTeamArgs{InstallationID: testInstallation, Owner: "acme", Label: report.FixLabel("team-a")}
	if err := w.fixTeamWorker().Work(t.Context(), jobOf(a, 1, 5)); err != nil {
		t.Fatal(err)
	}
	if n := len(w.queued(t, jobargs.FixArgs{}.Kind())); n != MaxFixPullsPerRun {
		t.Errorf("%d fix jobs, want %d", n, MaxFixPullsPerRun)
	}
}
