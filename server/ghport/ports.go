// Package ghport holds the GitHub ports: the interfaces through which the jobs
// reach GitHub, the values they exchange, the errors they decide on, and the marks
// a job puts on its context for the client's request accounting. It imports only
// the engine's snapshot types, so server/githubclient implements it without
// linking the workers, the queue or the database.
//
// Not named github: that is go-github's package name, which the adapter imports
// beside this one.
package ghport

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goldenpath/goldenpath/policies"
)

// GitHub opens the access of one installation. The jobs know GitHub only through
// these interfaces; server/githubclient implements them over the REST API.
type GitHub interface {
	Installation(ctx context.Context, installationID int64) (Installation, error)
	// Installations lists the app's installations (periodic sweeps need them).
	Installations(ctx context.Context) ([]InstallationInfo, error)
	// HookDeliveries lists the app's webhook deliveries newest first, back to
	// since and at most limit of them.
	HookDeliveries(ctx context.Context, since time.Time, limit int) ([]HookDelivery, error)
	// Redeliver asks GitHub to send a delivery again; it is sent in the background.
	Redeliver(ctx context.Context, deliveryID int64) error
}

// InstallationInfo names an installation and the account it is on.
type InstallationInfo struct {
	ID      int64
	Account string
}

// RepoInfo is a repository as the installation's repository listing shows it.
type RepoInfo struct {
	ID            int64
	Owner, Name   string
	DefaultBranch string
	Archived      bool
	Fork          bool
	PushedAt      time.Time
	Template      string // the template repository it was created from, if GitHub says
	Description   string
	Topics        []string
}

// Repository is what rules know of the repository besides its files.
func (r RepoInfo) Repository() policies.Repository {
	return policies.Repository{Owner: r.Owner, Name: r.Name, DefaultBranch: r.DefaultBranch, Description: r.Description,
		Topics: r.Topics, Archived: r.Archived, Fork: r.Fork, TemplateRepository: r.Template}
}

// HookDelivery is one attempt at a webhook delivery, as GitHub lists it. Attempts
// of the same delivery share its GUID (X-GitHub-Delivery).
type HookDelivery struct {
	ID          int64
	GUID        string
	Event       string
	StatusCode  int // 0: GitHub could not connect or timed out
	Redelivery  bool
	DeliveredAt time.Time
}

// Issue is an issue's number, state and body.
type Issue struct {
	Number int
	Open   bool
	Body   string
}

// Installation is what evaluating and publishing need from one installation.
type Installation interface {
	// Snapshot is the repository at a commit: its tree is listed on first use and
	// blobs are read through the installation's content-addressed cache.
	Snapshot(owner, repo, sha string) policies.Snapshot
	// LimitedSnapshot is Snapshot within a budget of requests for its listing and
	// blobs (0: none); past it the snapshot is partial (policies.Partial).
	LimitedSnapshot(owner, repo, sha string, budget int) policies.Snapshot
	// StoredSnapshot is a snapshot whose listing is already known (stored with an
	// earlier evaluation of tree): only blobs missing from the cache are requested,
	// within budget requests (0: no limit).
	StoredSnapshot(owner, repo, tree string, entries []policies.Entry, budget int) policies.Snapshot
	// File reads one file at a ref; found is false when it does not exist.
	File(ctx context.Context, owner, repo, ref, path string) (data []byte, found bool, err error)
	// BranchHead is the commit a branch points at.
	BranchHead(ctx context.Context, owner, repo, branch string) (string, error)

	CreateCheckRun(ctx context.Context, owner, repo string, run CheckRun) (int64, error)
	UpdateCheckRun(ctx context.Context, owner, repo string, id int64, run CheckRun) error

	// FindComment returns the id of the pull request's comment containing marker
	// that the app wrote, or 0.
	FindComment(ctx context.Context, owner, repo string, number int, marker string) (int64, error)
	CreateComment(ctx context.Context, owner, repo string, number int, body string) (int64, error)
	EditComment(ctx context.Context, owner, repo string, id int64, body string) error

	// Repositories lists every repository the installation can see, 100 per page.
	Repositories(ctx context.Context) ([]RepoInfo, error)
	// TreeSHA is the tree a snapshot lists (read with its listing, no extra request).
	TreeSHA(ctx context.Context, snap policies.Snapshot) (string, error)
	// RateLimit is the installation's remaining budget as the last answer said.
	RateLimit() (remaining int, reset time.Time, known bool)

	// FindIssues returns the open issues of a repository that the app wrote and
	// that hold marker, oldest first.
	FindIssues(ctx context.Context, owner, repo, marker string) ([]Issue, error)
	Issue(ctx context.Context, owner, repo string, number int) (Issue, error)
	CreateIssue(ctx context.Context, owner, repo, title, body string, labels []string) (int, error)
	EditIssue(ctx context.Context, owner, repo string, number int, body string) error
	CloseIssue(ctx context.Context, owner, repo string, number int) error
}

// CheckRun is a check run to create or update. Annotations beyond GitHub's 50 per
// request are sent by the implementation in further updates.
type CheckRun struct {
	Name        string
	HeadSHA     string
	Status      string // queued, in_progress, completed
	Conclusion  string // success, neutral, failure (completed only)
	Title       string
	Summary     string
	Text        string
	DetailsURL  string // where the check's Details link leads; optional
	Annotations []Annotation
	// Actions are the run's buttons (GitHub: at most 3); nil leaves them as they are.
	Actions []CheckRunAction
}

// Annotation marks a line of a file in a check run.
type Annotation struct {
	Path      string
	StartLine int
	EndLine   int
	Level     string // notice, warning, failure
	Title     string
	Message   string
}

// Errors the GitHub implementation returns, so that workers can decide between
// retrying, waiting and giving up without knowing go-github.
var (
	// ErrGone: the repository, pull request or installation no longer exists or the
	// app lost access; retrying cannot help.
	ErrGone = errors.New("gone from GitHub")
	// ErrForbidden: the app lacks a permission for the request (it also wraps
	// ErrGone: retrying cannot help until an owner grants it). A pull request's
	// check says so.
	ErrForbidden = errors.New("permission missing")
	// ErrSuspended: the installation exists but cannot act now (suspended, or its
	// token refused); its work waits and is retried, never forgotten.
	ErrSuspended = errors.New("installation suspended")
)

// RateLimitedError says GitHub asked us to wait until Until.
type RateLimitedError struct {
	Until     time.Time
	Secondary bool
	Err       error
}

func (e *RateLimitedError) Error() string {
	kind := "primary"
	if e.Secondary {
		kind = "secondary"
	}
	return fmt.Sprintf("GitHub %s rate limit until %s: %v", kind, e.Until.UTC().Format(time.RFC3339), e.Err)
}

func (e *RateLimitedError) Unwrap() error { return e.Err }
