// Package plan holds what a webhook delivery asks for: the value routing
// (server/webhook) hands the store (server/store) to write in the delivery's
// transaction. It is a leaf, so that routing links no database and the store no
// webhook library.
package plan

import "github.com/riverqueue/river"

// Delivery is what a delivery asks for: jobs to queue, the newest head of a pull
// request to remember (so a late evaluation of an older head keeps quiet), and
// what happened to the app's fix pull request (so it is read again before the
// next change when a person closed it or pushed to it).
type Delivery struct {
	Jobs     []river.JobArgs
	PullHead *PullHead
	FixPull  *FixPull
}

// PullHead is the head commit of a repository's pull request.
type PullHead struct {
	RepoID int64
	Number int
	SHA    string
}

// FixPull is the app's fix pull request as a delivery shows it.
type FixPull struct {
	PullHead
	Open bool
}
