package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// SweepWorker evaluates an organisation cheaply: a repository whose listing says
// nothing was pushed since its stored evaluation, under the same rules and
// configuration, costs no request at all; a pushed one costs its tree, and its
// blobs only when the tree changed.
type SweepWorker struct {
	river.WorkerDefaults[jobargs.SweepArgs]

	github   ghport.GitHub
	store    *store.Store
	metrics  *metrics.Metrics // nil: nothing is counted
	settings Settings
	configs  *configLoader
	judge    *judge
	reports  *Reports
	outcomes *jobOutcomes
	now      func() time.Time
}

func (s *Services) sweepWorker() *SweepWorker {
	return &SweepWorker{github: s.deps.GitHub, store: s.deps.Store, metrics: s.deps.Metrics, settings: s.deps.Settings,
		configs: s.configs, judge: s.judge, reports: s.Reports, outcomes: s.outcomes, now: s.deps.Now}
}

// Timeout bounds one attempt, and must stay below River's rescue of stuck jobs or
// a slow sweep would run twice. An attempt cut short resumes cheaply: what it
// evaluated is then unchanged.
func (w *SweepWorker) Timeout(*river.Job[jobargs.SweepArgs]) time.Duration { return 20 * time.Minute }

// Work implements river.Worker.
func (w *SweepWorker) Work(ctx context.Context, job *river.Job[jobargs.SweepArgs]) error {
	a := job.Args
	return w.outcomes.of(ctx, job.Kind, a.Owner, w.sweep(ctx, a))
}

// Sweep pacing.
const (
	// ResumeWindow: an unfinished sweep started less than this ago is resumed (by a
	// retry, a rescue, the continuation after a rate-limit wait, or any new request
	// meanwhile) rather than started again; older ones were abandoned.
	ResumeWindow = 6 * time.Hour
	// repoAttempts is how often a repository is tried in one sweep before the
	// report lists it as not judged; transient errors (5xx, resets) pass meanwhile.
	repoAttempts = 3
	// maxReasonLength bounds the reason the report gives for a repository not judged.
	maxReasonLength = 300
)

// repoRetryDelay is the pause before a repository's next attempt (times the
// attempt number); tests shorten it.
var repoRetryDelay = time.Second

func (w *SweepWorker) sweep(ctx context.Context, a jobargs.SweepArgs) error {
	inst, err := w.github.Installation(ctx, a.InstallationID)
	if err != nil {
		return err
	}
	// A sweep repairs a missed push to the config repository: reload it (at the
	// reserve, the cached configuration serves).
	var rl *ghport.RateLimitedError
	org := target{inst: inst, instID: a.InstallationID, owner: a.Owner}
	if _, err := w.configs.reload(ctx, org); err != nil && !errors.As(err, &rl) {
		return w.unlessUninstalled(ctx, a, err)
	}
	oc, err := w.configs.load(ctx, org)
	if err != nil {
		return err
	}
	eng, err := w.judge.evaluations.Engine(ctx, oc.Custom)
	if err != nil {
		return err
	}
	rec, err := w.currentSweep(ctx, a.Owner)
	if err != nil {
		return err
	}
	known := map[int64]store.RepoState{}
	if err := w.store.RepoStates(ctx, a.Owner, func(s store.RepoState) error { known[s.RepoID] = s; return nil }); err != nil {
		return err
	}
	repos, err := inst.Repositories(ctx)
	if errors.As(err, &rl) && !rec.WaitingUntil.IsZero() {
		// Still waiting: the report says so again, with what waited before.
		return w.wait(ctx, inst, a, oc, &rec, rec.Waiting, rl.Until, unjudgedOf(rec.Unjudged))
	}
	if err != nil {
		return w.unlessUninstalled(ctx, a, err)
	}
	rec.Repositories, rec.Evaluated, rec.Unchanged = 0, 0, 0
	listed := map[int64]bool{}
	var todo []ghport.RepoInfo
	for _, r := range repos {
		if r.Archived || r.Fork || r.Name == w.settings.ConfigRepo || oc.Config.Ignored(r.Name) {
			continue
		}
		listed[r.ID] = true
		rec.Repositories++
		st, seen := known[r.ID]
		if seen && (st.Owner != r.Owner || st.Name != r.Name) {
			// Renamed or transferred without our seeing the event.
			if err := w.store.RenameRepo(ctx, r.ID, r.Owner, r.Name); err != nil {
				return err
			}
		}
		same := seen && st.PolicyDigest == eng.Digest() && st.ConfigDigest == oc.Config.Digest()
		if same && seen && !r.PushedAt.After(st.PushedAt) {
			// Nothing to read. Evaluated already in this sweep (an earlier attempt of
			// it, before a wait, a retry or a crash) counts as evaluated.
			if !st.EvaluatedAt.Before(rec.StartedAt) {
				rec.Evaluated++
			} else {
				rec.Unchanged++
			}
			continue
		}
		todo = append(todo, r)
	}
	var unjudged []report.RepoReason
	for i, r := range todo {
		st, seen := known[r.ID]
		same := seen && st.PolicyDigest == eng.Digest() && st.ConfigDigest == oc.Config.Digest()
		pushed := !seen || r.PushedAt.After(st.PushedAt)
		evaluated, err := w.judgeRepo(ctx, org, oc, repoWork{info: r, state: st, sameRules: same, pushed: pushed})
		var rl *ghport.RateLimitedError
		switch {
		case errors.As(err, &rl):
			// The report does not wait: it shows what is done, and what waits until when.
			return w.wait(ctx, inst, a, oc, &rec, len(todo)-i, rl.Until, unjudged)
		case errors.Is(err, ghport.ErrSuspended):
			return err // the whole sweep waits for the installation to be restored
		case err != nil:
			if !w.stillInstalled(ctx, a.InstallationID) {
				logger(ctx).Info().Str("owner", a.Owner).Err(err).Msg("sweep stopped: the app is no longer installed")
				return nil
			}
			reason := w.whyNotJudged(ctx, inst, r, err)
			logger(ctx).Warn().Err(err).Str("repository", r.Owner+"/"+r.Name).Msg("sweep: repository not judged")
			unjudged = append(unjudged, report.RepoReason{Repository: r.Name, Reason: reason})
		case evaluated:
			rec.Evaluated++
		default:
			rec.Unchanged++
		}
	}
	for id := range known {
		if !listed[id] {
			// Deleted, archived, ignored or no longer in the installation.
			if err := w.store.DeleteRepo(ctx, id); err != nil {
				return err
			}
		}
	}
	if rec.Unjudged, err = json.Marshal(unjudged); err != nil {
		return err
	}
	rec.Waiting, rec.WaitingUntil, rec.FinishedAt = 0, time.Time{}, w.now().UTC()
	return w.reports.publish(ghport.WithWork(ctx, jobargs.PublishArgs{}.Kind()), inst, a, oc, &rec)
}

// currentSweep is the organisation's unfinished sweep when it started within
// ResumeWindow, or else a new sweep, recorded as started.
func (w *SweepWorker) currentSweep(ctx context.Context, owner string) (store.SweepRecord, error) {
	recs, err := w.store.Sweeps(ctx, owner, 1)
	if err != nil {
		return store.SweepRecord{}, err
	}
	if len(recs) == 1 && recs[0].FinishedAt.IsZero() && w.now().Sub(recs[0].StartedAt) < ResumeWindow {
		return recs[0], nil
	}
	rec := store.SweepRecord{Owner: owner, StartedAt: w.now().UTC()}
	return rec, w.store.SaveSweep(ctx, rec)
}

// wait records that a sweep waits for the rate limit with n repositories still to
// evaluate, publishes the report of what is done, and has the sweep go on at the
// reset: the continuation job snoozes itself; any other sweep job schedules the
// continuation (one per organisation) and ends, so that a request meanwhile (an
// installation, a re-scan) runs at once instead of joining a waiting job.
func (w *SweepWorker) wait(ctx context.Context, inst ghport.Installation, a jobargs.SweepArgs, oc *evaluation.Org, rec *store.SweepRecord, n int, until time.Time, unjudged []report.RepoReason) error {
	var err error
	rec.Waiting, rec.WaitingUntil = n, until.UTC()
	if rec.Unjudged, err = json.Marshal(unjudged); err != nil {
		return err
	}
	if err := w.store.SaveSweep(ctx, *rec); err != nil {
		return err
	}
	waiting := &SweepWaitingError{Until: until, Repositories: n, Continue: a.Request == requestResume}
	if !waiting.Continue {
		resume := jobargs.SweepArgs{InstallationID: a.InstallationID, Owner: a.Owner, Reason: a.Reason, Request: requestResume}
		err := w.store.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertJob(ctx, resume, &river.InsertOpts{ScheduledAt: until.Add(time.Second)})
			return err
		})
		if err != nil {
			return fmt.Errorf("schedule the rest of the sweep of %s: %w", a.Owner, err)
		}
	}
	// Publishing spends a few requests of the reserve: the report is what people wait for.
	if err := w.reports.publish(ghport.WithWork(ctx, jobargs.PublishArgs{}.Kind()), inst, a, oc, nil); err != nil {
		var rl *ghport.RateLimitedError
		if !errors.As(err, &rl) {
			return err
		}
		// Not even the reserve is left; the continuation publishes.
		logger(ctx).Warn().Err(err).Str("owner", a.Owner).Msg("report of a waiting sweep not published")
	}
	return waiting
}

// requestResume is SweepArgs.Request of a sweep's continuation after a wait.
const requestResume = "resume"

// SweepWaitingError says a sweep waits for the rate limit: the job is done for now
// and its continuation is scheduled (Continue false), or it is the continuation
// and snoozes until Until.
type SweepWaitingError struct {
	Until        time.Time
	Repositories int
	Continue     bool
}

func (e *SweepWaitingError) Error() string {
	return fmt.Sprintf("%d repositories wait for the rate limit until %s", e.Repositories, e.Until.UTC().Format(time.RFC3339))
}

// judgeRepo evaluates one repository, trying it again after a transient failure; a
// rate limit or the repository's or installation's disappearance is returned at
// once. The requests it cost are recorded.
func (w *SweepWorker) judgeRepo(ctx context.Context, org target, oc *evaluation.Org, rw repoWork) (evaluated bool, err error) {
	r := rw.info
	if err := w.pace(org.inst); err != nil {
		return false, err
	}
	counted, requests := ghport.WithRequestCount(ctx)
	defer func() {
		if w.metrics != nil && requests.Load() > 0 {
			w.metrics.RepositoryRequests.Observe(float64(requests.Load()))
		}
		logger(ctx).Debug().Str("repository", r.Owner+"/"+r.Name).Int64("requests", requests.Load()).Bool("evaluated", evaluated).Msg("sweep: repository judged")
	}()
	for attempt := 1; ; attempt++ {
		evaluated, err = w.sweepRepo(counted, org, oc, rw)
		var rl *ghport.RateLimitedError
		if err == nil || errors.As(err, &rl) || errors.Is(err, ghport.ErrGone) || ctx.Err() != nil || attempt == repoAttempts {
			if err != nil && attempt > 1 {
				err = fmt.Errorf("%w (after %d attempts)", err, attempt)
			}
			return evaluated, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(time.Duration(attempt) * repoRetryDelay):
		}
	}
}

// whyNotJudged says why a repository could not be judged, as the report shows it.
// A repository gone from GitHub is looked for in the installation's listing again:
// renamed or deleted since the listing.
func (w *SweepWorker) whyNotJudged(ctx context.Context, inst ghport.Installation, r ghport.RepoInfo, err error) string {
	reason := err.Error()
	if errors.Is(err, ghport.ErrGone) {
		if repos, lerr := inst.Repositories(ctx); lerr == nil {
			reason = "deleted, or no longer visible to the app, since the listing"
			for _, cur := range repos {
				if cur.ID == r.ID {
					reason = "gone from GitHub since the listing: " + err.Error()
					if cur.Owner != r.Owner || cur.Name != r.Name {
						reason = fmt.Sprintf("renamed to %s/%s since the listing; the next sweep judges it", cur.Owner, cur.Name)
					}
				}
			}
		}
	}
	if len(reason) > maxReasonLength {
		reason = reason[:maxReasonLength] + "…"
	}
	return reason
}

// unlessUninstalled stops a sweep quietly when the app was uninstalled, and
// returns err otherwise.
func (w *SweepWorker) unlessUninstalled(ctx context.Context, a jobargs.SweepArgs, err error) error {
	if errors.Is(err, ghport.ErrSuspended) || w.stillInstalled(ctx, a.InstallationID) {
		return err
	}
	logger(ctx).Info().Str("owner", a.Owner).Err(err).Msg("sweep stopped: the app is no longer installed")
	return nil
}

// stillInstalled asks GitHub, with the app's own credentials, whether the
// installation is still there; when GitHub cannot say, it is taken to be. (A
// suspended one is not listed: callers let ErrSuspended wait instead.)
func (w *SweepWorker) stillInstalled(ctx context.Context, installationID int64) bool {
	list, err := w.github.Installations(ctx)
	if err != nil {
		return true
	}
	for _, in := range list {
		if in.ID == installationID {
			return true
		}
	}
	return false
}

// pace refuses to start a repository when the installation's budget is down to
// the reserve kept for pull requests (the GitHub client also refuses each sweep
// request past it).
func (w *SweepWorker) pace(inst ghport.Installation) error {
	remaining, reset, known := inst.RateLimit()
	if known && remaining <= ghport.RateReserve && reset.After(w.now()) {
		return &ghport.RateLimitedError{Until: reset, Err: fmt.Errorf("sweep keeps %d requests for pull requests (%d left)", ghport.RateReserve, remaining)}
	}
	return nil
}

// sweepRepo evaluates one repository's default branch; it reports false when the
// tree turned out unchanged (only the listing's pushed_at moved). A repository
// nothing was pushed to is re-evaluated (new rules or configuration) from its
// stored listing: no tree request, and blobs only where new rules read new files.
func (w *SweepWorker) sweepRepo(ctx context.Context, org target, oc *evaluation.Org, rw repoWork) (bool, error) {
	r, st, inst := rw.info, rw.state, org.inst
	t := target{inst: inst, instID: org.instID, owner: r.Owner, repo: r.Name, repoID: r.ID, defaultBranch: r.DefaultBranch}
	var snap policies.Snapshot
	if !rw.pushed {
		snap, _ = w.judge.storedSnapshot(ctx, inst, st) // the listing has fresher facts
	}
	if snap == nil {
		snap = inst.LimitedSnapshot(r.Owner, r.Name, r.DefaultBranch, w.settings.RequestBudget)
		tree, err := inst.TreeSHA(ctx, snap)
		if err != nil {
			return false, err
		}
		if rw.sameRules && tree == st.TreeSHA {
			return false, w.store.TouchRepoState(ctx, r.ID, r.PushedAt)
		}
	}
	override, err := w.judge.override(ctx, t, oc.Config, snap)
	if err != nil {
		return false, err
	}
	j, err := w.judge.evaluate(ctx, snap, oc, override, r.Repository())
	if err != nil {
		return false, fmt.Errorf("evaluate %s/%s: %w", r.Owner, r.Name, err)
	}
	return true, w.judge.saveDefaultBranch(ctx, t, r.PushedAt, r.Repository(), snap, j)
}

// repoWork is a repository a sweep judges: as listed, as stored, whether the
// rules and configuration are those of its stored evaluation, and whether
// something was pushed since.
type repoWork struct {
	info              ghport.RepoInfo
	state             store.RepoState
	sameRules, pushed bool
}
