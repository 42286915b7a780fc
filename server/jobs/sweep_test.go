package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
)

// sweepWorld is acme with web and api to judge, beside repositories a sweep
// leaves alone: archived, a fork, the config repository and one the org ignores.
// Its clock stands still until the test moves it.
func sweepWorld(t *testing.T) (*world, *time.Time) {
	w := newWorld(t)
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w.clock = func() time.Time { return clock }
	w.setOrgConfig("ignore_repositories: [sandbox]\n")
	pushed := clock.Add(-time.Hour)
	for i, name := range []string{"web", "api", "old", "forked", ".github", "sandbox"} {
		w.inst.Repos = append(w.inst.Repos, ghport.RepoInfo{ID: int64(i + 1), Owner: "acme", Name: name, DefaultBranch: "main",
			PushedAt: pushed, Archived: name == "old", Fork: name == "forked"})
		if name != ".github" {
			w.inst.Contents[ghporttest.At("acme/"+name, "main")] = ghporttest.Files{"main.go": "package " + name + "\n"}
		}
	}
	return w, &clock
}

var sweepArgs = jobargs.SweepArgs{InstallationID: testInstallation, Owner: "acme", Reason: "periodic"}

// sweep runs one sweep job and returns the sweep's record.
func (w *world) sweep(t *testing.T, a jobargs.SweepArgs) (store.SweepRecord, error) {
	t.Helper()
	err := w.sweepWorker().Work(t.Context(), jobOf(a, 1, 5))
	recs, rerr := w.store.Sweeps(t.Context(), "acme", 1)
	if rerr != nil || len(recs) != 1 {
		t.Fatalf("sweeps = %+v, %v", recs, rerr)
	}
	return recs[0], err
}

// counts is what a sweep record says of its progress.
func counts(rec store.SweepRecord) string {
	return fmt.Sprintf("{%d repositories, %d evaluated, %d unchanged, %d waiting until %s, finished %s}",
		rec.Repositories, rec.Evaluated, rec.Unchanged, rec.Waiting, rec.WaitingUntil, rec.FinishedAt)
}

func storedNames(t *testing.T, w *world) []string {
	var names []string
	if err := w.store.RepoStates(t.Context(), "acme", func(s store.RepoState) error { names = append(names, s.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestSweepJudgesWhatChanged: a sweep judges the repositories it lists, skipping
// archived ones, forks, the config repository and ignored ones, and publishes the
// report; the next one reads nothing of a repository nothing was pushed to, lists
// the tree of a pushed one (unchanged when the tree is), and re-evaluates
// everything from the stored listings when the configuration changes.
func TestSweepJudgesWhatChanged(t *testing.T) {
	w, clock := sweepWorld(t)
	rec, err := w.sweep(t, sweepArgs)
	if err != nil || rec.FinishedAt.IsZero() || rec.Repositories != 2 || rec.Evaluated != 2 || rec.Unchanged != 0 {
		t.Fatalf("first sweep %s, %v, want 2 repositories evaluated", counts(rec), err)
	}
	if names := fmt.Sprint(storedNames(t, w)); names != "[api web]" {
		t.Errorf("stored %s, want [api web]", names)
	}
	if len(w.inst.Issues) != 1 || w.inst.Issues[0].Repo != "acme/.github" {
		t.Errorf("report issues %+v, want one in acme/.github", w.inst.Issues)
	}

	steps := []struct {
		name                         string
		change                       func()
		wantEvaluated, wantSame      int
		wantListedWeb, wantListedAPI int
	}{
		{"nothing pushed: nothing read", func() {}, 0, 2, 1, 1},
		{"pushed, same tree: listed, unchanged", func() { w.inst.Repos[0].PushedAt = *clock }, 0, 2, 2, 1},
		{"pushed, new tree: evaluated", func() {
			w.inst.Repos[1].PushedAt = *clock
			w.inst.Contents[ghporttest.At("acme/api", "main")] = ghporttest.Files{"main.go": "package api\n", "README.md": "# api\n"}
		}, 1, 1, 2, 2},
		{"new configuration: re-evaluated from the stored listings", func() { w.setOrgConfig("ignore_repositories: [sandbox]\nenforcement: blocking\n") }, 2, 0, 2, 2},
	}
	for _, s := range steps {
		*clock = clock.Add(time.Hour)
		s.change()
		rec, err := w.sweep(t, sweepArgs)
		if err != nil || rec.Evaluated != s.wantEvaluated || rec.Unchanged != s.wantSame {
			t.Errorf("%s: sweep %s, %v, want %d evaluated and %d unchanged", s.name, counts(rec), err, s.wantEvaluated, s.wantSame)
		}
		web, api := w.inst.Listed[ghporttest.At("acme/web", "main")], w.inst.Listed[ghporttest.At("acme/api", "main")]
		if web != s.wantListedWeb || api != s.wantListedAPI {
			t.Errorf("%s: trees listed web %d, api %d times in all, want %d and %d", s.name, web, api, s.wantListedWeb, s.wantListedAPI)
		}
	}
}

// TestSweepForgetsUnlisted: a repository the listing no longer shows is forgotten.
func TestSweepForgetsUnlisted(t *testing.T) {
	w, _ := sweepWorld(t)
	if _, err := w.sweep(t, sweepArgs); err != nil {
		t.Fatal(err)
	}
	w.inst.Repos = w.inst.Repos[1:]
	if _, err := w.sweep(t, sweepArgs); err != nil {
		t.Fatal(err)
	}
	if names := fmt.Sprint(storedNames(t, w)); names != "[api]" {
		t.Errorf("stored %s, want [api]", names)
	}
}

// TestSweepUnjudged: a repository that cannot be judged is reported with why, and
// the others are judged.
func TestSweepUnjudged(t *testing.T) {
	w, _ := sweepWorld(t)
	delete(w.inst.Contents, ghporttest.At("acme/api", "main"))
	rec, err := w.sweep(t, sweepArgs)
	if err != nil || rec.Evaluated != 1 {
		t.Fatalf("sweep %s, %v, want web evaluated", counts(rec), err)
	}
	unjudged := unjudgedOf(rec.Unjudged)
	if len(unjudged) != 1 || unjudged[0].Repository != "api" || unjudged[0].Reason != "gone from GitHub since the listing: tree of acme/api@main: gone from GitHub" {
		t.Errorf("unjudged = %+v", unjudged)
	}
}

// TestSweepWaitsAtReserve: a sweep stops at the budget kept for pull requests,
// publishes what is done and has its continuation wait for the reset.
func TestSweepWaitsAtReserve(t *testing.T) {
	for _, tt := range []struct {
		remaining int
		wantWait  bool
	}{{ghport.RateReserve + 1, false}, {ghport.RateReserve, true}, {0, true}} {
		t.Run(fmt.Sprint(tt.remaining), func(t *testing.T) {
			w, clock := sweepWorld(t)
			reset := clock.Add(30 * time.Minute)
			w.inst.Remaining, w.inst.Reset, w.inst.RateKnown = tt.remaining, reset, true
			rec, err := w.sweep(t, sweepArgs)
			if err != nil {
				t.Fatalf("the first sweep job waiting: %v, want it done (its continuation waits)", err)
			}
			continuations := w.queued(t, jobargs.SweepArgs{}.Kind())
			if !tt.wantWait {
				if rec.Waiting != 0 || rec.FinishedAt.IsZero() || len(continuations) != 0 {
					t.Errorf("sweep %s, continuations %d: want it finished", counts(rec), len(continuations))
				}
				return
			}
			if rec.Waiting != 2 || !rec.WaitingUntil.Equal(reset) || !rec.FinishedAt.IsZero() {
				t.Errorf("sweep %s, want 2 repositories waiting until %s", counts(rec), reset)
			}
			if len(continuations) != 1 || !continuations[0].ScheduledAt.Equal(reset.Add(time.Second)) {
				t.Fatalf("continuations = %+v, want one at the reset", continuations)
			}
			if len(w.inst.Issues) != 1 {
				t.Errorf("report issues %+v, want the report of what is done", w.inst.Issues)
			}
			// The continuation itself snoozes until the reset.
			resume := sweepArgs
			resume.Request = requestResume
			_, err = w.sweep(t, resume)
			var snooze *river.JobSnoozeError
			if !errors.As(err, &snooze) {
				t.Errorf("the continuation: %v, want it snoozed", err)
			}
		})
	}
}

// TestSweepUninstalled: a sweep of an installation that is gone stops quietly;
// one that only cannot list now is retried, and a suspended one waits.
func TestSweepUninstalled(t *testing.T) {
	for _, tt := range []struct {
		name      string
		listErr   error
		installed bool
		wantJob   string
	}{
		{"uninstalled", errors.New("500"), false, "done"},
		{"still installed", errors.New("500"), true, "retry"},
		{"suspended", ghport.ErrSuspended, false, "snooze"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := sweepWorld(t)
			w.inst.ReposErr = fmt.Errorf("list repositories: %w", tt.listErr)
			if !tt.installed {
				w.gh.Installs = nil
			}
			err := w.sweepWorker().Work(t.Context(), jobOf(sweepArgs, 1, 5))
			if got := jobResult(err); got != tt.wantJob {
				t.Errorf("sweep job %s (%v), want %s", got, err, tt.wantJob)
			}
		})
	}
}

// TestSweepAll asks for a sweep of every installation.
func TestSweepAll(t *testing.T) {
	w := newWorld(t)
	w.gh.Installs = []ghport.InstallationInfo{{ID: 7, Account: "acme"}, {ID: 8, Account: "globex"}}
	if err := w.sweepAllWorker().Work(t.Context(), jobOf(jobargs.SweepAllArgs{}, 1, 5)); err != nil {
		t.Fatal(err)
	}
	var sweeps []string
	for _, j := range w.queued(t, jobargs.SweepArgs{}.Kind()) {
		var a jobargs.SweepArgs
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		sweeps = append(sweeps, fmt.Sprintf("%d %s %s", a.InstallationID, a.Owner, a.Reason))
	}
	if got := fmt.Sprint(sweeps); got != "[7 acme periodic 8 globex periodic]" {
		t.Errorf("sweeps queued: %s, want acme's and globex's", got)
	}
}
