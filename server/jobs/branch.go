package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// BranchWorker evaluates a repository's default branch after a push: it refreshes
// the repository's own configuration and stores the evaluation that pull requests
// on that base compare against.
type BranchWorker struct {
	river.WorkerDefaults[BranchArgs]
	*Evaluator
}

// Timeout bounds one attempt.
func (w *BranchWorker) Timeout(*river.Job[BranchArgs]) time.Duration { return 5 * time.Minute }

// Work implements river.Worker.
func (w *BranchWorker) Work(ctx context.Context, job *river.Job[BranchArgs]) error {
	a := job.Args
	// A push's head can be unknown to the replica answering for a moment.
	err, _ := doubtGone(w.evaluateBranch(ctx, a), job.Attempt)
	return w.outcome(ctx, job.Kind, a.Owner+"/"+a.Repo, err)
}

func (w *BranchWorker) evaluateBranch(ctx context.Context, a BranchArgs) error {
	inst, err := w.GitHub.Installation(ctx, a.InstallationID)
	if err != nil {
		return err
	}
	t := target{inst: inst, instID: a.InstallationID, owner: a.Owner, repo: a.Repo, repoID: a.RepoID, defaultBranch: a.Branch}
	oc, err := w.orgConfig(ctx, t)
	if err != nil {
		return err
	}
	snap := inst.Snapshot(a.Owner, a.Repo, a.HeadSHA)
	override, err := w.override(ctx, t, oc.Config, snap)
	if err != nil {
		return err
	}
	repo, err := w.knownFacts(ctx, t)
	if err != nil {
		return err
	}
	j, err := w.evaluate(ctx, snap, oc, override, repo)
	if err != nil {
		return fmt.Errorf("evaluate %s/%s@%s: %w", a.Owner, a.Repo, short(a.HeadSHA), err)
	}
	if err := w.save(ctx, t, "refs/heads/"+a.Branch, a.HeadSHA, j); err != nil {
		return err
	}
	if err := w.Store.SetBranchHead(ctx, a.RepoID, a.Branch, a.HeadSHA); err != nil {
		return err
	}
	// The organisation's view: the next sweep sees this push as already evaluated,
	// and the report follows within the debounce.
	if err := w.saveDefaultBranch(ctx, t, w.now().UTC(), repo, snap, j); err != nil {
		return err
	}
	return w.insert(ctx, PublishArgs{InstallationID: a.InstallationID, Owner: a.Owner})
}

// PublishWorker publishes an organisation's report between sweeps.
type PublishWorker struct {
	river.WorkerDefaults[PublishArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *PublishWorker) Work(ctx context.Context, job *river.Job[PublishArgs]) error {
	a := job.Args
	err := func() error {
		inst, err := w.GitHub.Installation(ctx, a.InstallationID)
		if err != nil {
			return err
		}
		oc, err := w.orgConfig(ctx, target{inst: inst, instID: a.InstallationID, owner: a.Owner})
		if err != nil {
			return err
		}
		return w.publish(ctx, inst, SweepArgs{InstallationID: a.InstallationID, Owner: a.Owner, Reason: "changes"}, oc, nil)
	}()
	return w.outcome(ctx, job.Kind, a.Owner, err)
}

// RepositoryWorker applies repository and installation events to the store.
type RepositoryWorker struct {
	river.WorkerDefaults[RepositoryArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *RepositoryWorker) Work(ctx context.Context, job *river.Job[RepositoryArgs]) error {
	a := job.Args
	var err error
	switch a.Action {
	case "renamed":
		err = w.Store.RenameRepo(ctx, a.RepoID, a.Owner, a.Name)
	case "deleted", "archived", "transferred":
		err = w.Store.DeleteRepo(ctx, a.RepoID)
	case "installation_deleted":
		err = w.Store.ForgetOwner(ctx, a.Owner)
	}
	if err == nil && a.Action != "installation_deleted" {
		err = w.insert(ctx, PublishArgs{InstallationID: a.InstallationID, Owner: a.Owner})
	}
	return w.outcome(ctx, job.Kind, a.Owner+"/"+a.Name, err)
}

// Kinds are the kinds of the jobs Register registers.
func Kinds() []string {
	return []string{PullArgs{}.Kind(), BranchArgs{}.Kind(), PublishArgs{}.Kind(), RepositoryArgs{}.Kind(),
		SweepArgs{}.Kind(), SweepAllArgs{}.Kind(), RedeliverArgs{}.Kind()}
}

// Register adds the workers to River's registry.
func Register(workers *river.Workers, e *Evaluator) {
	river.AddWorker(workers, &PullWorker{Evaluator: e})
	river.AddWorker(workers, &BranchWorker{Evaluator: e})
	river.AddWorker(workers, &PublishWorker{Evaluator: e})
	river.AddWorker(workers, &RepositoryWorker{Evaluator: e})
	river.AddWorker(workers, &SweepWorker{Evaluator: e})
	river.AddWorker(workers, &SweepAllWorker{Evaluator: e})
	river.AddWorker(workers, &RedeliverWorker{Evaluator: e})
}
