// Package jobargs holds the River job arguments: what each job asks for, its
// kind, queue and uniqueness. It is a leaf so that webhook routing, which only
// queues jobs, links neither the workers nor what they link (the engine, the
// report, the GitHub adapter).
package jobargs

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

// SweepArgs asks for the evaluation of every repository of an installation.
type SweepArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner"`
	Reason         string `json:"reason"` // installation, config, periodic, rescan, repositories
	// Request keeps a sweep that must see a newer state from being absorbed by one
	// already running: "config <sha>" after a change of configuration, "rescan"
	// for a re-scan asked for in the report, "repositories" for repositories added
	// (several requests of a kind coalesce), "resume" for the continuation of a
	// sweep that waits for the rate limit (so that a request meanwhile runs at once
	// rather than joining the waiting job).
	Request  string `json:"request,omitempty" river:"unique"`
	Delivery string `json:"delivery,omitempty"`
}

// Kind implements river.JobArgs. It is ghport.KindSweep, the kind whose GitHub
// requests stop at the reserve (a test holds them equal): importing ghport here
// would link the engine into webhook routing.
func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts implements river.JobArgsWithInsertOpts: one sweep per installation
// waits or runs; a request meanwhile joins it.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueDefault,
		MaxAttempts: 20,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: pendingStates},
	}
}

// SweepAllArgs is the periodic job: it asks for a sweep of every installation.
type SweepAllArgs struct{}

// Kind implements river.JobArgs.
func (SweepAllArgs) Kind() string { return "sweep_all" }

// FixArgs asks for a repository's fix pull request to be opened or brought up
// to date: from a check run's "Fix it for me" button (HeadSHA: the commit whose
// check was pressed, told the outcome) or a team's report checkbox (Team).
type FixArgs struct {
	InstallationID int64  `json:"installation_id"`
	RepoID         int64  `json:"repo_id" river:"unique"`
	Owner          string `json:"owner"`
	Repo           string `json:"repo"`
	DefaultBranch  string `json:"default_branch"`
	HeadSHA        string `json:"head_sha,omitempty"`
	Team           string `json:"team,omitempty"`
	// Delivery is unique too: each press runs, even one arriving while the
	// previous press's job is finishing; a redelivered press coalesces.
	Delivery string `json:"delivery,omitempty" river:"unique"`
}

// Kind implements river.JobArgs.
func (FixArgs) Kind() string { return "fix_pull_request" }

// InsertOpts implements river.JobArgsWithInsertOpts: presses while one waits
// coalesce (one pull request per repository anyway).
func (FixArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueDefault,
		MaxAttempts: 5,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: pendingStates},
	}
}

// FixTeamArgs asks for the fix pull requests of a team's repositories, from
// the report's checkbox. Label is the team as the report renders it.
type FixTeamArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Label          string `json:"label" river:"unique"`
	Delivery       string `json:"delivery,omitempty"`
}

// Kind implements river.JobArgs.
func (FixTeamArgs) Kind() string { return "fix_team" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (FixTeamArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// RedeliverArgs is the periodic job that asks GitHub to send again the webhook
// deliveries that failed while no replica answered.
type RedeliverArgs struct{}

// Kind implements river.JobArgs.
func (RedeliverArgs) Kind() string { return "redeliver" }

// InsertOpts implements river.JobArgsWithInsertOpts: one run at a time; the
// periodic insert joins a pending or running one.
func (RedeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueDefault,
		MaxAttempts: 5, // the next periodic run starts over anyway
		UniqueOpts:  river.UniqueOpts{ByState: pendingStates},
	}
}
