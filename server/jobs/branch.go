package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
)

// BranchWorker evaluates a repository's default branch after a push: it refreshes
// the repository's own configuration and stores the evaluation that pull requests
// on that base compare against.
type BranchWorker struct {
	river.WorkerDefaults[jobargs.BranchArgs]

	github   ghport.GitHub
	store    *store.Store
	configs  *configLoader
	judge    *judge
	outcomes *jobOutcomes
	now      func() time.Time
}

func (s *Services) branchWorker() *BranchWorker {
	return &BranchWorker{github: s.deps.GitHub, store: s.deps.Store, configs: s.configs, judge: s.judge, outcomes: s.outcomes, now: s.deps.Now}
}

// Timeout bounds one attempt.
func (w *BranchWorker) Timeout(*river.Job[jobargs.BranchArgs]) time.Duration { return 5 * time.Minute }

// Work implements river.Worker.
func (w *BranchWorker) Work(ctx context.Context, job *river.Job[jobargs.BranchArgs]) error {
	a := job.Args
	// A push's head can be unknown to the replica answering for a moment.
	err, _ := doubtGone(w.evaluateBranch(ctx, a), job.Attempt)
	return w.outcomes.of(ctx, job.Kind, a.Owner+"/"+a.Repo, err)
}

func (w *BranchWorker) evaluateBranch(ctx context.Context, a jobargs.BranchArgs) error {
	inst, err := w.github.Installation(ctx, a.InstallationID)
	if err != nil {
		return err
	}
	t := target{inst: inst, instID: a.InstallationID, owner: a.Owner, repo: a.Repo, repoID: a.RepoID, defaultBranch: a.Branch}
	oc, err := w.configs.load(ctx, t)
	if err != nil {
		return err
	}
	snap := inst.Snapshot(a.Owner, a.Repo, a.HeadSHA)
	override, err := w.judge.override(ctx, t, oc.Config, snap)
	if err != nil {
		return err
	}
	repo, err := w.judge.knownFacts(ctx, t)
	if err != nil {
		return err
	}
	j, err := w.judge.evaluate(ctx, snap, oc, override, repo)
	if err != nil {
		return fmt.Errorf("evaluate %s/%s@%s: %w", a.Owner, a.Repo, ghport.ShortSHA(a.HeadSHA), err)
	}
	if err := w.judge.save(ctx, t, "refs/heads/"+a.Branch, a.HeadSHA, j); err != nil {
		return err
	}
	if err := w.store.SetBranchHead(ctx, a.RepoID, a.Branch, a.HeadSHA); err != nil {
		return err
	}
	// The organisation's view: the next sweep sees this push as already evaluated,
	// and the report follows within the debounce.
	if err := w.judge.saveDefaultBranch(ctx, t, w.now().UTC(), repo, snap, j); err != nil {
		return err
	}
	return insert(ctx, w.store, jobargs.PublishArgs{InstallationID: a.InstallationID, Owner: a.Owner})
}
