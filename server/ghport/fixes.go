package ghport

import "errors"

// Pull is a pull request as the fix pull requests need it.
type Pull struct {
	Number int
	Open   bool
	Merged bool
	// ByApp says the app opened it.
	ByApp   bool
	HeadSHA string
	Title   string
	Body    string
}

// NewPull is a pull request to open from Head into Base.
type NewPull struct {
	Title, Body, Head, Base string
}

// Errors of the Git data API that a caller decides on.
var (
	// ErrRefExists: the branch to create exists already (GitHub's 422
	// "Reference already exists").
	ErrRefExists = errors.New("branch exists")
	// ErrNotFastForward: the branch holds a commit the update does not descend
	// from (GitHub's 422 "Update is not a fast forward"); only force would move it.
	ErrNotFastForward = errors.New("update is not a fast-forward")
	// ErrRefMissing: the branch to update does not exist (GitHub's 422
	// "Reference does not exist"), e.g. deleted with its merged pull request.
	ErrRefMissing = errors.New("branch does not exist")
)

// CheckRunAction is a check run's button: label ≤ 20 characters, description
// ≤ 40, identifier ≤ 20 (what the check_run requested_action event carries).
type CheckRunAction struct {
	Label, Description, Identifier string
}
