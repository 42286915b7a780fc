package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/policies"
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
	return w.outcome(ctx, job.Kind, a.Owner+"/"+a.Repo, w.evaluateBranch(ctx, a))
}

func (w *BranchWorker) evaluateBranch(ctx context.Context, a BranchArgs) error {
	inst, err := w.GitHub.Installation(ctx, a.InstallationID)
	if err != nil {
		return err
	}
	oc, err := w.orgConfig(ctx, inst, a.InstallationID, a.Owner)
	if err != nil {
		return err
	}
	override, problem, err := w.override(ctx, inst, a.InstallationID, a.Owner, a.Repo, a.Branch, oc.Org, true)
	if err != nil {
		return err
	}
	repo := policies.Repository{Owner: a.Owner, Name: a.Repo, DefaultBranch: a.Branch}
	ev, eng, err := w.evaluate(ctx, inst, oc, override, repo, a.HeadSHA)
	if err != nil {
		return fmt.Errorf("evaluate %s/%s@%s: %w", a.Owner, a.Repo, short(a.HeadSHA), err)
	}
	if problem != nil {
		ev.Problems = append(ev.Problems, *problem)
	}
	if err := w.save(ctx, a.InstallationID, a.RepoID, "refs/heads/"+a.Branch, a.HeadSHA, ev, eng, oc); err != nil {
		return err
	}
	return w.Store.SetBranchHead(ctx, a.RepoID, a.Branch, a.HeadSHA)
}

// ConfigWorker reloads an organisation's configuration and custom rules after a
// push to its config repository.
type ConfigWorker struct {
	river.WorkerDefaults[ConfigArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *ConfigWorker) Work(ctx context.Context, job *river.Job[ConfigArgs]) error {
	a := job.Args
	err := func() error {
		inst, err := w.GitHub.Installation(ctx, a.InstallationID)
		if err != nil {
			return err
		}
		b, err := w.loadBundle(ctx, inst, a.InstallationID, a.Owner)
		if err != nil {
			return err
		}
		oc, err := w.resolveBundle(ctx, a.InstallationID, a.Owner+"/"+w.Settings.ConfigRepo, b)
		if err != nil {
			return err
		}
		logger(ctx).Info().Str("owner", a.Owner).Int("problems", len(oc.Problems)).Int("custom_modules", len(oc.Custom)).Msg("configuration reloaded")
		return nil
	}()
	return w.outcome(ctx, job.Kind, a.Owner+"/"+w.Settings.ConfigRepo, err)
}

// Register adds the workers to River's registry.
func Register(workers *river.Workers, e *Evaluator) {
	river.AddWorker(workers, &PullWorker{Evaluator: e})
	river.AddWorker(workers, &BranchWorker{Evaluator: e})
	river.AddWorker(workers, &ConfigWorker{Evaluator: e})
}
