package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
)

// SweepAllWorker asks for a sweep of every installation (the periodic job; River
// runs periodic jobs on the elected leader only, so once per cluster).
type SweepAllWorker struct {
	river.WorkerDefaults[jobargs.SweepAllArgs]

	github   ghport.GitHub
	store    *store.Store
	outcomes *jobOutcomes
}

func (s *Services) sweepAllWorker() *SweepAllWorker {
	return &SweepAllWorker{github: s.deps.GitHub, store: s.deps.Store, outcomes: s.outcomes}
}

// Work implements river.Worker.
func (w *SweepAllWorker) Work(ctx context.Context, job *river.Job[jobargs.SweepAllArgs]) error {
	list, err := w.github.Installations(ctx)
	if err == nil {
		for _, in := range list {
			if err = insert(ctx, w.store, jobargs.SweepArgs{InstallationID: in.ID, Owner: in.Account, Reason: "periodic"}); err != nil {
				break
			}
		}
	}
	return w.outcomes.of(ctx, job.Kind, "all installations", err)
}
