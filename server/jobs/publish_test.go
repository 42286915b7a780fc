package jobs

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// TestReportBackfillsOutcomes: a repository stored before outcomes were kept is
// reported from its full evaluation; the JSON API's report (a GET) leaves it so,
// and the publishing job stores the outcome the next reports read.
func TestReportBackfillsOutcomes(t *testing.T) {
	ctx := t.Context()
	url := storetest.SQLiteURL(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev := policies.Evaluation{Schema: 1, Repository: "acme/web", Owner: "team-web", Results: []policies.Result{
		{Rule: "docs.readme", Title: "README explains the component", Aspect: "adoption", Level: 1, Severity: policies.SeverityWarning, Status: policies.StatusFail, Message: "no README"},
	}}
	ev.Summary = policies.Summarize(ev.Results)
	now := time.Now().UTC()
	if err := st.SaveRepoState(ctx, store.RepoState{RepoID: 1, InstallationID: 7, Owner: "acme", Name: "web", DefaultBranch: "main",
		PushedAt: now, TreeSHA: "t", Evaluation: &ev, EvaluatedAt: now}); err != nil {
		t.Fatal(err)
	}
	// Back to the row a version before outcomes left.
	db, err := sql.Open("sqlite", strings.TrimPrefix(url, "sqlite://")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE repositories SET outcome = x''`); err != nil {
		t.Fatal(err)
	}
	e := New(Deps{Store: st, Evaluations: testEvaluations(), Settings: Settings{ConfigRepo: ".github", ConfigPath: "golden-path.yaml", Limits: policies.DefaultLimits()}})
	for range 2 {
		rep, found, err := e.Reports.Report(ctx, "acme")
		if err != nil || !found || rep.Repositories != 1 || len(rep.Rules) != 1 || rep.Rules[0].Fail != 1 || rep.Rules[0].Title != "README explains the component" {
			t.Fatalf("report: found %v, %v, %+v", found, err, rep)
		}
	}
	outcome := func() []byte {
		var o []byte
		_ = st.RepoStates(ctx, "acme", func(s store.RepoState) error { o = s.Outcome; return nil })
		return o
	}
	if o := outcome(); len(o) != 0 {
		t.Fatalf("the API's report wrote the outcome %q", o)
	}
	if _, err := e.Reports.build(ctx, "acme", &evaluation.Org{Config: config.DefaultOrg()}, true); err != nil {
		t.Fatal(err)
	}
	if len(outcome()) == 0 {
		t.Fatal("the outcome was not stored by the publishing job's report")
	}
	rep, _, err := e.Reports.Report(ctx, "acme")
	if err != nil || rep.Rules[0].Fail != 1 {
		t.Fatalf("report from the stored outcome: %v, %+v", err, rep)
	}
}

// publishOnce runs the publishing job for acme.
func (w *world) publishOnce(t *testing.T) {
	t.Helper()
	a := jobargs.PublishArgs{InstallationID: testInstallation, Owner: "acme"}
	if err := w.publishWorker().Work(t.Context(), jobOf(a, 1, 5)); err != nil {
		t.Fatal(err)
	}
}

// TestPublishKeepsOneIssue: the report issue is created once, edited only when
// its body changes, and found again (never created twice) when the store lost it.
func TestPublishKeepsOneIssue(t *testing.T) {
	ctx := t.Context()
	w := newWorld(t)
	w.publishOnce(t)
	if len(w.inst.Issues) != 1 {
		t.Fatalf("issues = %+v, want the report", w.inst.Issues)
	}
	is := w.inst.Issues[0]
	if is.Repo != "acme/.github" || is.Title != report.Title || fmt.Sprint(is.Labels) != fmt.Sprint([]string{report.Label}) ||
		!strings.Contains(is.Body, controls.Marker) {
		t.Errorf("report issue = %+v", is)
	}
	w.publishOnce(t)
	if len(w.inst.Issues) != 1 || w.inst.Issues[0].Edits != 0 {
		t.Errorf("issues = %+v, want the report unedited: nothing changed", w.inst.Issues)
	}
	now := time.Now().UTC()
	if err := w.store.SaveRepoState(ctx, store.RepoState{RepoID: 1, InstallationID: testInstallation, Owner: "acme", Name: "web",
		DefaultBranch: "main", PushedAt: now, TreeSHA: "t", EvaluatedAt: now}); err != nil {
		t.Fatal(err)
	}
	w.publishOnce(t)
	if len(w.inst.Issues) != 1 || w.inst.Issues[0].Edits != 1 {
		t.Errorf("issues = %+v, want the report edited once", w.inst.Issues)
	}
	if err := w.store.SaveReportIssue(ctx, "acme", store.ReportIssue{}); err != nil {
		t.Fatal(err)
	}
	w.publishOnce(t)
	if len(w.inst.Issues) != 1 {
		t.Errorf("issues = %+v, want the report found by its marker", w.inst.Issues)
	}
}

// TestPublishFindsIssue: which issue the report goes to when the store knows none,
// or one a person closed or deleted.
func TestPublishFindsIssue(t *testing.T) {
	reportIssue := func(number int, open bool) ghporttest.Issue {
		return ghporttest.Issue{Repo: "acme/.github", Issue: ghport.Issue{Number: number, Open: open, Body: controls.Marker + "\nold"}}
	}
	tests := []struct {
		name       string
		known      int // the issue the store knows, 0: none
		issues     []ghporttest.Issue
		wantEdited int
		wantOpen   string // the issues open after publishing
	}{
		{"duplicates: the oldest is kept, the others closed", 0,
			[]ghporttest.Issue{reportIssue(4, true), reportIssue(2, true), {Repo: "acme/.github", Issue: ghport.Issue{Number: 3, Open: true, Body: "a person's issue"}}},
			2, "[2 3]"},
		{"the known issue is kept among duplicates", 4, []ghporttest.Issue{reportIssue(2, true), reportIssue(4, true)}, 4, "[4]"},
		{"closed by a person: edited, left closed", 2, []ghporttest.Issue{reportIssue(2, false)}, 2, "[]"},
		{"deleted by a person: a new one", 9, []ghporttest.Issue{reportIssue(2, false)}, 0, "[3]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.inst.Issues = tt.issues
			if tt.known != 0 {
				if err := w.store.SaveReportIssue(t.Context(), "acme", store.ReportIssue{Repo: ".github", Number: tt.known}); err != nil {
					t.Fatal(err)
				}
			}
			w.publishOnce(t)
			var edited, open []int
			for _, is := range w.inst.Issues {
				if is.Edits > 0 {
					edited = append(edited, is.Number)
				}
				if is.Open {
					open = append(open, is.Number)
				}
			}
			slices.Sort(open)
			wantEdited := "[]"
			if tt.wantEdited != 0 {
				wantEdited = fmt.Sprint([]int{tt.wantEdited})
			}
			if fmt.Sprint(edited) != wantEdited || fmt.Sprint(open) != tt.wantOpen {
				t.Errorf("edited %v, open %v; want edited %s, open %s", edited, open, wantEdited, tt.wantOpen)
			}
		})
	}
}

// TestPublishRescan: a ticked re-scan box asks for a sweep and stays ticked.
func TestPublishRescan(t *testing.T) {
	w := newWorld(t)
	w.inst.Issues = []ghporttest.Issue{{Repo: "acme/.github", Issue: ghport.Issue{Number: 1, Open: true, Body: controls.Marker + "\n" + controls.RescanChecked}}}
	w.publishOnce(t)
	sweeps := w.queued(t, jobargs.SweepArgs{}.Kind())
	if len(sweeps) != 1 || !strings.Contains(string(sweeps[0].EncodedArgs), `"reason":"rescan"`) {
		t.Errorf("sweeps queued: %+v, want a re-scan", sweeps)
	}
	if body := w.inst.Issues[0].Body; !strings.Contains(body, controls.RescanChecked) {
		t.Errorf("the re-scan box was unticked:\n%s", body)
	}
}

// TestPublishReportRepositoryMissing: without a writable report repository the
// job succeeds and the problem is kept for the API to show.
func TestPublishReportRepositoryMissing(t *testing.T) {
	w := newWorld(t)
	w.inst.CreateIssueErr = fmt.Errorf("create issue: %w", ghport.ErrGone)
	w.publishOnce(t)
	if p := w.Reports.Problem("acme"); !strings.Contains(p, "report repository acme/.github is missing or not writable") {
		t.Errorf("report problem %q", p)
	}
}
