package jobs

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
)

// Bounds of one redelivery run. Failures beyond the per-run bound wait for the
// next run; older or unlisted ones are left to the periodic sweep, which repairs
// whatever was missed.
const (
	redeliverLookback = 24 * time.Hour
	redeliverListed   = 1000 // deliveries read, ten pages
	redeliverPerRun   = 50   // redelivery requests
	// A delivery is sent again at most redeliverAttempts times, redeliverCooldown
	// apart, so one that keeps failing does not loop.
	redeliverAttempts = 3
	redeliverCooldown = time.Hour
	// Delivery records older than this are forgotten: GitHub redelivers by hand for
	// three days, this job for one.
	deliveryRetention = 7 * 24 * time.Hour
)

// RedeliverWorker redelivers the deliveries that failed while the app was down,
// and forgets the records of old ones.
type RedeliverWorker struct {
	river.WorkerDefaults[jobargs.RedeliverArgs]

	github   ghport.GitHub
	store    *store.Store
	outcomes *jobOutcomes
	now      func() time.Time
}

func (s *Services) redeliverWorker() *RedeliverWorker {
	return &RedeliverWorker{github: s.deps.GitHub, store: s.deps.Store, outcomes: s.outcomes, now: s.deps.Now}
}

// Work implements river.Worker.
func (w *RedeliverWorker) Work(ctx context.Context, job *river.Job[jobargs.RedeliverArgs]) error {
	return w.outcomes.of(ctx, job.Kind, "webhook deliveries", w.redeliver(ctx))
}

func (w *RedeliverWorker) redeliver(ctx context.Context) error {
	now := w.now()
	list, err := w.github.HookDeliveries(ctx, now.Add(-redeliverLookback), redeliverListed)
	if err != nil {
		return err
	}
	failed := failedDeliveries(list, now)
	guids := make([]string, len(failed))
	for i, d := range failed {
		guids[i] = d.GUID
	}
	// Answered by us though GitHub saw a failure (a timeout): the work is queued.
	recorded, err := w.store.RecordedDeliveries(ctx, guids)
	if err != nil {
		return err
	}
	asked := 0
	for _, d := range failed {
		if asked == redeliverPerRun {
			break // the next run asks for the rest
		}
		if recorded[d.GUID] {
			continue
		}
		asked++
		err := w.github.Redeliver(ctx, d.ID)
		if errors.Is(err, ghport.ErrGone) {
			// Too old to redeliver, or gone from the listing: nothing to repeat.
			logger(ctx).Warn().Err(err).Str("delivery", d.GUID).Msg("delivery not redelivered")
			continue
		}
		if err != nil {
			return err
		}
		logger(ctx).Info().Str("delivery", d.GUID).Str("event", d.Event).Int("status", d.StatusCode).Msg("failed delivery redelivered")
	}
	// The records dedupe deliveries; past any redelivery they are only weight.
	_, err = w.store.PruneDeliveries(ctx, now.Add(-deliveryRetention))
	return err
}

// failedDeliveries picks from a listing the deliveries to send again, oldest
// first, each by its newest attempt: those whose newest attempt found the app
// unreachable (no answer, or a 5xx from it or its proxy), that no attempt
// delivered, and that were not redelivered too often or too recently. A 4xx is
// the app's own refusal (bad signature, malformed body) and would be refused again.
func failedDeliveries(list []ghport.HookDelivery, now time.Time) []ghport.HookDelivery {
	type attempts struct {
		newest        ghport.HookDelivery
		delivered     bool
		redeliveries  int
		lastRedeliver time.Time
	}
	by := map[string]*attempts{}
	for _, d := range list {
		a := by[d.GUID]
		if a == nil {
			a = &attempts{newest: d}
			by[d.GUID] = a
		}
		if d.DeliveredAt.After(a.newest.DeliveredAt) {
			a.newest = d
		}
		a.delivered = a.delivered || d.StatusCode >= 200 && d.StatusCode < 300
		if d.Redelivery {
			a.redeliveries++
			if d.DeliveredAt.After(a.lastRedeliver) {
				a.lastRedeliver = d.DeliveredAt
			}
		}
	}
	var out []ghport.HookDelivery
	for _, a := range by {
		code := a.newest.StatusCode
		unreachable := code == 0 || code >= 500
		if !unreachable || a.delivered || a.redeliveries >= redeliverAttempts || now.Sub(a.lastRedeliver) < redeliverCooldown {
			continue
		}
		out = append(out, a.newest)
	}
	slices.SortFunc(out, func(a, b ghport.HookDelivery) int {
		return cmp.Or(a.DeliveredAt.Compare(b.DeliveredAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}
