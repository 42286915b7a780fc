package jobs

import (
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobargs"
)

// TestBranchSavesDefaultBranch: a push to the default branch is evaluated and
// stored three ways: as the base pull requests compare against, as the
// organisation's view of the repository (with its tree), and as the repository's
// own configuration; the report is then published.
func TestBranchSavesDefaultBranch(t *testing.T) {
	ctx := t.Context()
	w := newWorld(t)
	files := ghporttest.Files{"main.go": "package main\n", evaluation.OverridePath: "component_type: library\n"}
	w.inst.Contents[ghporttest.At("acme/web", "b1")] = files
	a := jobargs.BranchArgs{InstallationID: testInstallation, RepoID: 1, Owner: "acme", Repo: "web", Branch: "main", HeadSHA: "b1"}
	if err := w.branchWorker().Work(ctx, jobOf(a, 1, 20)); err != nil {
		t.Fatal(err)
	}
	if rec, err := w.store.Evaluation(ctx, 1, "b1"); err != nil || rec == nil || rec.Ref != "refs/heads/main" {
		t.Errorf("evaluation of b1 = %+v, %v, want one of refs/heads/main", rec, err)
	}
	if head, err := w.store.BranchHead(ctx, 1, "main"); err != nil || head != "b1" {
		t.Errorf("branch head %q, %v, want b1", head, err)
	}
	st, err := w.store.RepoState(ctx, "acme", "web")
	if err != nil || st == nil || st.TreeSHA != files.Tree() || len(st.Outcome) == 0 {
		t.Errorf("repository state = %+v, %v, want b1's tree and an outcome", st, err)
	}
	data, found, exists, err := w.store.CachedFile(ctx, testInstallation, "acme/web", cacheRefDefault, evaluation.OverridePath)
	if err != nil || !found || !exists || string(data) != files[evaluation.OverridePath] {
		t.Errorf("cached override %q (found %v, exists %v, %v), want the pushed one", data, found, exists, err)
	}
	if jobs := w.queued(t, jobargs.PublishArgs{}.Kind()); len(jobs) != 1 {
		t.Errorf("%d publish jobs queued, want 1", len(jobs))
	}
}

// TestBranchGone: a commit GitHub does not know yet is waited for, then given up.
func TestBranchGone(t *testing.T) {
	for _, tt := range []struct {
		attempt    int
		wantCancel bool
	}{{1, false}, {goneAttempts - 1, false}, {goneAttempts, true}} {
		w := newWorld(t)
		a := jobargs.BranchArgs{InstallationID: testInstallation, RepoID: 1, Owner: "acme", Repo: "web", Branch: "main", HeadSHA: "unknown"}
		err := w.branchWorker().Work(t.Context(), jobOf(a, tt.attempt, 20))
		var cancel *river.JobCancelError
		if err == nil || errors.As(err, &cancel) != tt.wantCancel || !errors.Is(err, ghport.ErrGone) && tt.wantCancel {
			t.Errorf("attempt %d: %v, want cancelled %v", tt.attempt, err, tt.wantCancel)
		}
		if st, _ := w.store.RepoState(t.Context(), "acme", "web"); st != nil {
			t.Errorf("attempt %d stored %+v", tt.attempt, st)
		}
	}
}
