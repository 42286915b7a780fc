package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/jobargs"
)

// SweepAllWorker asks for a sweep of every installation (the periodic job; River
// runs periodic jobs on the elected leader only, so once per cluster).
type SweepAllWorker struct {
	river.WorkerDefaults[jobargs.SweepAllArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *SweepAllWorker) Work(ctx context.Context, job *river.Job[jobargs.SweepAllArgs]) error {
	list, err := w.GitHub.Installations(ctx)
	if err == nil {
		for _, in := range list {
			if err = insert(ctx, w.Store, jobargs.SweepArgs{InstallationID: in.ID, Owner: in.Account, Reason: "periodic"}); err != nil {
				break
			}
		}
	}
	return w.outcome(ctx, job.Kind, "all installations", err)
}
