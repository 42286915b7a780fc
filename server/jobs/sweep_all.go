package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// SweepAllWorker asks for a sweep of every installation (the periodic job; River
// runs periodic jobs on the elected leader only, so once per cluster).
type SweepAllWorker struct {
	river.WorkerDefaults[SweepAllArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *SweepAllWorker) Work(ctx context.Context, job *river.Job[SweepAllArgs]) error {
	list, err := w.GitHub.Installations(ctx)
	if err == nil {
		for _, in := range list {
			if err = w.insert(ctx, SweepArgs{InstallationID: in.ID, Owner: in.Account, Reason: "periodic"}); err != nil {
				break
			}
		}
	}
	return w.outcome(ctx, job.Kind, "all installations", err)
}

// SweepAllArgs is the periodic job: it asks for a sweep of every installation.
type SweepAllArgs struct{}

// Kind implements river.JobArgs.
func (SweepAllArgs) Kind() string { return "sweep_all" }
