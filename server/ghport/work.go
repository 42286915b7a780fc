package ghport

import (
	"context"
	"sync/atomic"
)

// RateReserve is what sweeps (and a team's fix pull requests) leave of an installation's hourly budget for pull
// requests and the report: a sweep request is refused locally once the last known
// remaining budget is down to it (see githubclient), and pull-request work keeps
// going below it.
const RateReserve = 500

// KindSweep is the job kind whose GitHub requests stop at RateReserve.
const KindSweep = "sweep"

// KindTeamFix is the work of a fix pull request a team's report checkbox asked
// for: hundreds of them are paced like a sweep, so they stop at RateReserve too
// (a "Fix it for me" press, which a person waits for, does not).
const KindTeamFix = "fix_team_pull_request"

// workKey marks a context with the job kind spending its GitHub requests.
type workKey struct{}

// WithWork marks ctx as doing the work of a job kind: the GitHub client counts
// requests per kind and holds sweep requests at the reserve.
func WithWork(ctx context.Context, kind string) context.Context {
	return context.WithValue(ctx, workKey{}, kind)
}

// WorkOf is the job kind ctx works for, "" outside any job (webhooks, the API).
func WorkOf(ctx context.Context) string {
	kind, _ := ctx.Value(workKey{}).(string)
	return kind
}

// KeepsReserve reports whether ctx's GitHub requests must stop at RateReserve.
func KeepsReserve(ctx context.Context) bool {
	kind := WorkOf(ctx)
	return kind == KindSweep || kind == KindTeamFix
}

// requestCountKey marks a context whose GitHub requests are counted.
type requestCountKey struct{}

// WithRequestCount counts the GitHub requests made with the returned context (and
// contexts derived from it), such as one repository's evaluation.
func WithRequestCount(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, requestCountKey{}, n), n
}

// CountRequest records one GitHub request sent with ctx; the GitHub client calls it
// for every request.
func CountRequest(ctx context.Context) {
	if n, ok := ctx.Value(requestCountKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}
