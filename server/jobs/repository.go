package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
)

// RepositoryWorker applies repository and installation events to the store.
type RepositoryWorker struct {
	river.WorkerDefaults[jobargs.RepositoryArgs]

	store    *store.Store
	outcomes *jobOutcomes
}

func (s *Services) repositoryWorker() *RepositoryWorker {
	return &RepositoryWorker{store: s.deps.Store, outcomes: s.outcomes}
}

// Work implements river.Worker.
func (w *RepositoryWorker) Work(ctx context.Context, job *river.Job[jobargs.RepositoryArgs]) error {
	a := job.Args
	var err error
	switch a.Action {
	case "renamed":
		err = w.store.RenameRepo(ctx, a.RepoID, a.Owner, a.Name)
	case "deleted", "archived", "transferred":
		err = w.store.DeleteRepo(ctx, a.RepoID)
	case "installation_deleted":
		err = w.store.ForgetOwner(ctx, a.Owner)
	}
	if err == nil && a.Action != "installation_deleted" {
		err = insert(ctx, w.store, jobargs.PublishArgs{InstallationID: a.InstallationID, Owner: a.Owner})
	}
	return w.outcomes.of(ctx, job.Kind, a.Owner+"/"+a.Name, err)
}
