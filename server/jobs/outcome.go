package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/metrics"
)

// jobOutcomes turns jobs' errors into what River should do, counting them and
// the jobs left waiting for a rate limit.
type jobOutcomes struct {
	waits   *RateWaits
	metrics *metrics.Metrics // nil: nothing is counted
}

// of turns a job's error into what River should do, and counts it:
//   - nil: completed;
//   - a rate limit: snooze until GitHub's reset or Retry-After (no attempt spent,
//     never a retry into the limit);
//   - installation suspended: snooze, without spending an attempt, until it is
//     restored (deleted installations answer "gone"), waiting longer each time;
//   - gone (repository deleted, app uninstalled): cancel, with a log line;
//   - a sweep waiting for the rate limit: done for now (its continuation is
//     scheduled), or, being the continuation, snoozed until the reset;
//   - anything else (5xx, timeouts): return it so River retries with backoff.
//
// A job left waiting for a rate limit is counted in o.waits until it runs again.
func (o *jobOutcomes) of(ctx context.Context, kind, repo string, err error) error {
	result, out := "completed", err
	o.waits.clear(kind, repo)
	var (
		rl      *ghport.RateLimitedError
		waiting *SweepWaitingError
	)
	switch {
	case err == nil:
	case errors.As(err, &waiting):
		result, out = "snoozed", nil
		if waiting.Continue {
			out = river.JobSnooze(untilWait(waiting.Until))
		}
		o.waits.set(kind, repo, waiting.Until)
		logger(ctx).Warn().Str("owner", repo).Int("waiting", waiting.Repositories).Time("until", waiting.Until).
			Msg("sweep waits for GitHub's rate limit; report published for what is done")
	case errors.As(err, &rl):
		wait := untilWait(rl.Until)
		result, out = "snoozed", river.JobSnooze(wait)
		o.waits.set(kind, repo, rl.Until)
		logger(ctx).Warn().Err(err).Str("repository", repo).Dur("wait", wait).Msg("GitHub rate limit: job snoozed")
	case errors.Is(err, ghport.ErrSuspended):
		wait := suspendedWait(snoozesOf(ctx))
		result, out = "snoozed", river.JobSnooze(wait)
		logger(ctx).Warn().Err(err).Str("repository", repo).Dur("wait", wait).Msg("installation suspended: job waits")
	case errors.Is(err, ghport.ErrGone):
		result, out = "cancelled", river.JobCancel(err)
		logger(ctx).Warn().Err(err).Str("repository", repo).Msg("gone from GitHub: job cancelled")
	case isSnooze(err):
		result = "snoozed"
	default:
		result = "retried"
		logger(ctx).Error().Err(err).Str("repository", repo).Msg("job failed; River retries it")
	}
	if o.metrics != nil {
		o.metrics.Jobs.WithLabelValues(kind, result).Inc()
	}
	return out
}

// untilWait is how long to snooze for a limit that ends at until: a second past
// it, and at least a second.
func untilWait(until time.Time) time.Duration {
	return max(time.Until(until)+time.Second, time.Second)
}

// RateWaits counts, in this process, the jobs waiting for an installation's rate
// limit (a snoozed job, an organisation whose sweep waits), for the metrics.
type RateWaits struct {
	mu    sync.Mutex
	until map[[2]string]time.Time // by kind and subject
}

func (r *RateWaits) set(kind, subject string, until time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.until == nil {
		r.until = map[[2]string]time.Time{}
	}
	r.until[[2]string{kind, subject}] = until
}

func (r *RateWaits) clear(kind, subject string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.until, [2]string{kind, subject})
}

// Count returns, by job kind, the jobs whose wait has not ended at now; waits
// that ended are forgotten.
func (r *RateWaits) Count(now time.Time) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, until := range r.until {
		if !until.After(now) {
			delete(r.until, k)
			continue
		}
		out[k[0]]++
	}
	return out
}

// suspendedWait is how long a suspended installation's work waits before trying
// again after that many earlier snoozes: 30 s, doubling, at most 10 minutes (a
// suspension is lifted by a person, rarely within seconds).
func suspendedWait(snoozes int) time.Duration {
	const first, most = 30 * time.Second, 10 * time.Minute
	if snoozes >= 5 { // 30 s << 5 is past the cap
		return most
	}
	return min(first<<max(snoozes, 0), most)
}

// goneAttempts is how many attempts an evaluation of a just-pushed commit makes
// before a "not found" is believed: GitHub answers 404 for a commit pushed a
// moment ago, and the retry policy paces the attempts (5 s, 10 s, 20 s).
const goneAttempts = 4

// doubtGone turns a "gone" answer on an early attempt into an error River retries;
// gone reports that err is believed. A refusal (403) is doubted too: GitHub
// answers one now and then while a permission change propagates.
func doubtGone(err error, attempt int) (_ error, gone bool) {
	if !errors.Is(err, ghport.ErrGone) {
		return err, false
	}
	if attempt < goneAttempts {
		return fmt.Errorf("perhaps not replicated yet, attempt %d of %d: %v", attempt, goneAttempts, err), false
	}
	return err, true
}

func isSnooze(err error) bool {
	var s *river.JobSnoozeError
	return errors.As(err, &s)
}
