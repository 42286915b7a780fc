package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/jobargs"
)

// RepositoryWorker applies repository and installation events to the store.
type RepositoryWorker struct {
	river.WorkerDefaults[jobargs.RepositoryArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *RepositoryWorker) Work(ctx context.Context, job *river.Job[jobargs.RepositoryArgs]) error {
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
		err = insert(ctx, w.Store, jobargs.PublishArgs{InstallationID: a.InstallationID, Owner: a.Owner})
	}
	return w.outcome(ctx, job.Kind, a.Owner+"/"+a.Name, err)
}
