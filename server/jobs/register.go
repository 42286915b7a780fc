package jobs

import (
	"github.com/riverqueue/river"
)

// Kinds are the kinds of the jobs Register registers.
func Kinds() []string {
	return []string{PullArgs{}.Kind(), BranchArgs{}.Kind(), PublishArgs{}.Kind(), RepositoryArgs{}.Kind(),
		SweepArgs{}.Kind(), SweepAllArgs{}.Kind(), RedeliverArgs{}.Kind(), FixArgs{}.Kind(), FixTeamArgs{}.Kind()}
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
