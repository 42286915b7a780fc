package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// outcome turns a job's error into what River should do, and counts it:
//   - nil: completed;
//   - a rate limit: snooze until GitHub's reset or Retry-After (no attempt spent,
//     never a retry into the limit);
//   - gone (repository deleted, app uninstalled): cancel, with a log line;
//   - anything else (5xx, timeouts): return it so River retries with backoff.
func (e *Evaluator) outcome(ctx context.Context, kind, repo string, err error) error {
	result, out := "completed", err
	var rl *RateLimitedError
	switch {
	case err == nil:
	case errors.As(err, &rl):
		wait := time.Until(rl.Until) + time.Second
		if wait < time.Second {
			wait = time.Second
		}
		result, out = "snoozed", river.JobSnooze(wait)
		logger(ctx).Warn().Err(err).Str("repository", repo).Dur("wait", wait).Msg("GitHub rate limit: job snoozed")
	case errors.Is(err, ErrGone):
		result, out = "cancelled", river.JobCancel(err)
		logger(ctx).Warn().Err(err).Str("repository", repo).Msg("gone from GitHub: job cancelled")
	case isSnooze(err):
		result = "snoozed"
	default:
		result = "retried"
		logger(ctx).Error().Err(err).Str("repository", repo).Msg("job failed; River retries it")
	}
	if e.Metrics != nil {
		e.Metrics.Jobs.WithLabelValues(kind, result).Inc()
	}
	return out
}

func isSnooze(err error) bool {
	var s *river.JobSnoozeError
	return errors.As(err, &s)
}
