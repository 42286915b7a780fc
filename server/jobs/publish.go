package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/jobargs"
)

// PublishWorker publishes an organisation's report between sweeps.
type PublishWorker struct {
	river.WorkerDefaults[jobargs.PublishArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *PublishWorker) Work(ctx context.Context, job *river.Job[jobargs.PublishArgs]) error {
	a := job.Args
	err := func() error {
		inst, err := w.GitHub.Installation(ctx, a.InstallationID)
		if err != nil {
			return err
		}
		oc, err := w.configs.load(ctx, target{inst: inst, instID: a.InstallationID, owner: a.Owner})
		if err != nil {
			return err
		}
		return w.Reports.publish(ctx, inst, jobargs.SweepArgs{InstallationID: a.InstallationID, Owner: a.Owner, Reason: "changes"}, oc, nil)
	}()
	return w.outcome(ctx, job.Kind, a.Owner, err)
}
