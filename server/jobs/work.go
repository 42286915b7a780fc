package jobs

import (
	"context"
	"encoding/json"
	"sync/atomic"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RateReserve is what sweeps leave of an installation's hourly budget for pull
// requests and the report: a sweep request is refused locally once the last known
// remaining budget is down to it (see githubclient), and pull-request work keeps
// going below it.
const RateReserve = 500

// KindSweep is the job kind whose GitHub requests stop at RateReserve.
const KindSweep = "sweep"

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
func KeepsReserve(ctx context.Context) bool { return WorkOf(ctx) == KindSweep }

// requestCountKey marks a context whose GitHub requests are counted.
type requestCountKey struct{}

// withRequestCount counts the GitHub requests made with the returned context (and
// contexts derived from it), such as one repository's evaluation.
func withRequestCount(ctx context.Context) (context.Context, *atomic.Int64) {
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

// WorkMiddleware marks every job's context with its kind (River worker middleware),
// so that requests are attributed without each worker doing it, and with how many
// times the job was snoozed, so that waits can grow.
type WorkMiddleware struct{ river.MiddlewareDefaults }

var _ rivertype.WorkerMiddleware = (*WorkMiddleware)(nil)

// Work implements rivertype.WorkerMiddleware.
func (*WorkMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	// River counts a job's snoozes in its metadata (a snooze spends no attempt).
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta) // no metadata: never snoozed
	return doInner(context.WithValue(WithWork(ctx, job.Kind), snoozesKey{}, meta.Snoozes))
}

// snoozesKey marks a job's context with the number of times the job was snoozed.
type snoozesKey struct{}

func snoozesOf(ctx context.Context) int {
	n, _ := ctx.Value(snoozesKey{}).(int)
	return n
}
