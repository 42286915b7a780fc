package jobs

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Queues: pull requests wait for nobody; sweep work runs beside them at its own pace.
const (
	QueuePulls   = "pulls"
	QueueDefault = river.QueueDefault
)

// pendingStates are the states in which a unique job blocks an identical insert.
// Completed is left out so a re-run request always runs again. River requires
// running among them: a request that must not be absorbed by a running job needs
// an argument of its own (see SweepArgs.Request).
var pendingStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// PullArgs asks for the evaluation of a pull request's head (or of a commit that
// has no pull request, when Number is 0). Bursts of events for one head coalesce.
type PullArgs struct {
	InstallationID int64  `json:"installation_id"`
	RepoID         int64  `json:"repo_id" river:"unique"`
	Owner          string `json:"owner"`
	Repo           string `json:"repo"`
	DefaultBranch  string `json:"default_branch"`
	Number         int    `json:"number" river:"unique"`
	HeadSHA        string `json:"head_sha" river:"unique"`
	BaseSHA        string `json:"base_sha,omitempty"`
	Delivery       string `json:"delivery,omitempty"`
}

// Kind implements river.JobArgs.
func (PullArgs) Kind() string { return "evaluate_pull" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PullArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueuePulls,
		MaxAttempts: 12,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: pendingStates},
	}
}

// PublishArgs asks to bring an organisation's report issue up to date after changes
// between sweeps. It is inserted a minute ahead and unique while waiting, so a burst
// of pushes publishes once.
type PublishArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
}

// Kind implements river.JobArgs.
func (PublishArgs) Kind() string { return "publish_report" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PublishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueDefault,
		ScheduledAt: time.Now().Add(publishDebounce),
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: pendingStates},
	}
}

// publishDebounce is how long a report waits for more changes before publishing.
const publishDebounce = time.Minute

// RepositoryArgs keeps the store true when a repository is renamed, transferred,
// archived or deleted, or forgets an organisation when the app is uninstalled
// (Action "installation_deleted").
type RepositoryArgs struct {
	InstallationID int64  `json:"installation_id"`
	Action         string `json:"action"`
	RepoID         int64  `json:"repo_id"`
	Owner          string `json:"owner"`
	Name           string `json:"name"`
	Delivery       string `json:"delivery,omitempty"`
}

// Kind implements river.JobArgs.
func (RepositoryArgs) Kind() string { return "repository_changed" }

// BranchArgs asks for the evaluation of a repository's default branch after a push,
// which also refreshes the repository's own configuration.
type BranchArgs struct {
	InstallationID int64  `json:"installation_id"`
	RepoID         int64  `json:"repo_id" river:"unique"`
	Owner          string `json:"owner"`
	Repo           string `json:"repo"`
	Branch         string `json:"branch"`
	HeadSHA        string `json:"head_sha" river:"unique"`
	Delivery       string `json:"delivery,omitempty"`
}

// Kind implements river.JobArgs.
func (BranchArgs) Kind() string { return "evaluate_branch" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (BranchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:      QueueDefault,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates},
	}
}
