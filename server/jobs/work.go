package jobs

import (
	"context"
	"encoding/json"

	"github.com/goldenpath/goldenpath/server/ghport"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

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
	return doInner(context.WithValue(ghport.WithWork(ctx, job.Kind), snoozesKey{}, meta.Snoozes))
}

// snoozesKey marks a job's context with the number of times the job was snoozed.
type snoozesKey struct{}

func snoozesOf(ctx context.Context) int {
	n, _ := ctx.Value(snoozesKey{}).(int)
	return n
}
