package jobs

import (
	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/jobargs"
)

// Kinds are the kinds of the jobs Register registers.
func Kinds() []string {
	return []string{jobargs.PullArgs{}.Kind(), jobargs.BranchArgs{}.Kind(), jobargs.PublishArgs{}.Kind(), jobargs.RepositoryArgs{}.Kind(),
		jobargs.SweepArgs{}.Kind(), jobargs.SweepAllArgs{}.Kind(), jobargs.RedeliverArgs{}.Kind(), jobargs.FixArgs{}.Kind(), jobargs.FixTeamArgs{}.Kind()}
}

// Register adds the workers to River's registry.
func Register(workers *river.Workers, s *Services) {
	river.AddWorker(workers, s.pullWorker())
	river.AddWorker(workers, s.branchWorker())
	river.AddWorker(workers, s.publishWorker())
	river.AddWorker(workers, s.repositoryWorker())
	river.AddWorker(workers, s.sweepWorker())
	river.AddWorker(workers, s.sweepAllWorker())
	river.AddWorker(workers, s.redeliverWorker())
	river.AddWorker(workers, s.fixWorker())
	river.AddWorker(workers, s.fixTeamWorker())
}
