package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
)

// PublishWorker publishes an organisation's report between sweeps.
type PublishWorker struct {
	river.WorkerDefaults[jobargs.PublishArgs]

	github   ghport.GitHub
	configs  *configLoader
	reports  *Reports
	outcomes *jobOutcomes
}

func (s *Services) publishWorker() *PublishWorker {
	return &PublishWorker{github: s.deps.GitHub, configs: s.configs, reports: s.Reports, outcomes: s.outcomes}
}

// Work implements river.Worker.
func (w *PublishWorker) Work(ctx context.Context, job *river.Job[jobargs.PublishArgs]) error {
	a := job.Args
	err := func() error {
		inst, err := w.github.Installation(ctx, a.InstallationID)
		if err != nil {
			return err
		}
		oc, err := w.configs.load(ctx, target{inst: inst, instID: a.InstallationID, owner: a.Owner})
		if err != nil {
			return err
		}
		return w.reports.publish(ctx, inst, jobargs.SweepArgs{InstallationID: a.InstallationID, Owner: a.Owner, Reason: "changes"}, oc, nil)
	}()
	return w.outcomes.of(ctx, job.Kind, a.Owner, err)
}
