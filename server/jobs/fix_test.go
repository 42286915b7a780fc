package jobs

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/fixpr"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobargs"
)

// The fix worker asserts this at run time; the build says it here.
var _ fixpr.GitHub = (*ghporttest.Installation)(nil)

// fixOf is a "Fix it for me" press on acme/web's commit h1.
var fixOf = jobargs.FixArgs{InstallationID: testInstallation, RepoID: 1, Owner: "acme", Repo: "web", DefaultBranch: "main", HeadSHA: "h1"}

// fixWorld is acme/web at f1 failing security.policy (among others), with fix pull
// requests for that rule enabled.
func fixWorld(t *testing.T) *world {
	w := newWorld(t)
	w.setOrgConfig("fixes:\n  enabled: true\n  rules: [security.policy]\n")
	w.inst.Heads = map[string]string{ghporttest.At("acme/web", "main"): "f1"}
	w.inst.Contents[ghporttest.At("acme/web", "f1")] = bareRepo
	return w
}

func TestFix(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*world)
		attempt   int
		wantJob   string // done, cancel, snooze, retry
		wantCheck string // the fix check's title, "" when none is written
		wantInfo  string // in the check's summary
		wantFiles string // the files of the pull request, "" when none is pushed
	}{
		{"opens the pull request with the allowed rules' files", func(*world) {}, 1, "done",
			"Fix pull request #1 opened", "", "[SECURITY.md]"},
		{"nothing fixable: no pull request", func(w *world) {
			w.inst.Contents[ghporttest.At("acme/web", "f1")] = ghporttest.Files{"main.go": "package main\n", "SECURITY.md": "Mail security@acme.example.\n"}
		}, 1, "done", "Nothing to fix", "No failing rule", ""},
		{"fixes disabled: told, not retried", func(w *world) { w.setOrgConfig("enforcement: advisory\n") }, 1, "cancel",
			"Fix pull request not opened", "fixes.enabled is false", ""},
		{"permission missing: told, not retried", func(w *world) {
			w.inst.CreateTreeErr = fmt.Errorf("create tree: %w: %w", ghport.ErrForbidden, ghport.ErrGone)
		}, 1, "cancel", "Fix pull request not opened", "an owner must grant it contents: write", ""},
		{"a person's pull request from the branch is left to them", func(w *world) {
			w.inst.Pulls = []ghporttest.Pull{{Repo: "acme/web", Head: fixpr.Branch, Pull: ghport.Pull{Number: 8, Open: true}}}
		}, 1, "done", "Fix pull request not opened", "a person pushed to " + fixpr.Branch, ""},
		{"a transient failure retries silently", func(w *world) { w.inst.PullErr = errors.New("502") }, 1, "retry", "", "", ""},
		{"a transient failure on the last attempt is told", func(w *world) { w.inst.PullErr = errors.New("502") }, 5, "cancel",
			"Fix pull request not opened", "502", ""},
		{"a rate limit waits", func(w *world) {
			w.inst.PullErr = &ghport.RateLimitedError{Until: time.Now().Add(time.Hour), Err: errors.New("403")}
		}, 5, "snooze", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := fixWorld(t)
			tt.change(w)
			err := w.fixWorker().Work(t.Context(), jobOf(fixOf, tt.attempt, 5))
			if got := jobResult(err); got != tt.wantJob {
				t.Errorf("job %s (%v), want %s", got, err, tt.wantJob)
			}
			var title, summary string
			for _, r := range w.inst.CheckRuns {
				if r.Name == FixCheckName && r.HeadSHA == "h1" {
					title, summary = r.Title, r.Summary
				}
			}
			if title != tt.wantCheck || !strings.Contains(summary, tt.wantInfo) {
				t.Errorf("fix check %q: %q, want %q containing %q", title, summary, tt.wantCheck, tt.wantInfo)
			}
			var files string
			if len(w.inst.CreatedTrees) > 0 {
				files = fmt.Sprint(slices.Sorted(maps.Keys(w.inst.CreatedTrees[len(w.inst.CreatedTrees)-1])))
			}
			if files != tt.wantFiles {
				t.Errorf("pushed %q, want %q", files, tt.wantFiles)
			}
		})
	}
}

// TestFixCountsTeamProgress: a team's fix job counts in the team's progress, and
// the report shows it.
func TestFixCountsTeamProgress(t *testing.T) {
	ctx := t.Context()
	w := fixWorld(t)
	w.inst.CreatePullErr = fmt.Errorf("create pull: %w: %w", ghport.ErrForbidden, ghport.ErrGone)
	if err := w.store.StartFixRun(ctx, "acme", "team-a", 2); err != nil {
		t.Fatal(err)
	}
	a := fixOf
	a.Team, a.HeadSHA = "team-a", ""
	if err := w.fixWorker().Work(ctx, jobOf(a, 1, 5)); jobResult(err) != "cancel" {
		t.Errorf("job: %v, want it cancelled", err)
	}
	runs, err := w.store.FixRuns(ctx, "acme")
	if err != nil || len(runs) != 1 || runs[0].Done != 1 || runs[0].Failed != 1 || !strings.Contains(runs[0].Problem, "an owner must grant it") {
		t.Errorf("fix runs = %+v, %v, want one failed of 2", runs, err)
	}
	if len(w.inst.CheckRuns) != 0 {
		t.Errorf("check runs %+v: a team's request has no commit to tell", w.inst.CheckRuns)
	}
	if len(w.queued(t, jobargs.PublishArgs{}.Kind())) != 1 {
		t.Error("the report was not asked for")
	}
}
