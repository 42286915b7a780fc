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
func Register(workers *river.Workers, e *Evaluator) {
	river.AddWorker(workers, &PullWorker{Evaluator: e})
	river.AddWorker(workers, &BranchWorker{Evaluator: e})
	river.AddWorker(workers, &PublishWorker{Evaluator: e})
	river.AddWorker(workers, &RepositoryWorker{Evaluator: e})
	river.AddWorker(workers, &SweepWorker{Evaluator: e})
	river.AddWorker(workers, &SweepAllWorker{Evaluator: e})
	river.AddWorker(workers, &RedeliverWorker{Evaluator: e})
	river.AddWorker(workers, &FixWorker{Evaluator: e})
	river.AddWorker(workers, &FixTeamWorker{Evaluator: e})
}
