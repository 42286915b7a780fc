package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/store"
)

// rateReserve is what a sweep leaves of an installation's hourly budget for pull
// requests: below it the sweep waits for the reset instead of spending it.
const rateReserve = 500

// SweepArgs asks for the evaluation of every repository of an installation.
type SweepArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner"`
	Reason         string `json:"reason"` // installation, config, periodic, rescan, repositories
	Delivery       string `json:"delivery,omitempty"`
}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts implements river.JobArgsWithInsertOpts: one pending sweep per
// installation; a request while one waits joins it.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueDefault,
		MaxAttempts: 20,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: waitingStates},
	}
}

// SweepAllArgs is the periodic job: it asks for a sweep of every installation.
type SweepAllArgs struct{}

// Kind implements river.JobArgs.
func (SweepAllArgs) Kind() string { return "sweep_all" }

// SweepWorker evaluates an organisation cheaply: a repository whose listing says
// nothing was pushed since its stored evaluation, under the same rules and
// configuration, costs no request at all; a pushed one costs its tree, and its
// blobs only when the tree changed.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	*Evaluator
}

// Timeout bounds one attempt: a large organisation takes a while, and an attempt
// cut short resumes cheaply (evaluated repositories are then unchanged).
func (w *SweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return 2 * time.Hour }

// Work implements river.Worker.
func (w *SweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	a := job.Args
	return w.outcome(ctx, job.Kind, a.Owner, w.sweep(ctx, a))
}

func (w *SweepWorker) sweep(ctx context.Context, a SweepArgs) error {
	inst, err := w.GitHub.Installation(ctx, a.InstallationID)
	if err != nil {
		return err
	}
	// A sweep repairs a missed push to the config repository: reload it.
	if _, err := w.loadBundle(ctx, inst, a.InstallationID, a.Owner); err != nil {
		return err
	}
	oc, err := w.orgConfig(ctx, inst, a.InstallationID, a.Owner)
	if err != nil {
		return err
	}
	eng, err := w.engine(ctx, oc.Custom)
	if err != nil {
		return err
	}
	rec := store.SweepRecord{Owner: a.Owner, StartedAt: w.now().UTC()}
	if err := w.Store.SaveSweep(ctx, rec); err != nil {
		return err
	}
	known := map[int64]store.RepoState{}
	if err := w.Store.RepoStates(ctx, a.Owner, false, func(s store.RepoState) error { known[s.RepoID] = s; return nil }); err != nil {
		return err
	}
	repos, err := inst.Repositories(ctx)
	if err != nil {
		return err
	}
	listed := map[int64]bool{}
	for _, r := range repos {
		if r.Archived || r.Fork || r.Name == w.Settings.ConfigRepo || oc.Org.Ignored(r.Name) {
			continue
		}
		listed[r.ID] = true
		rec.Repositories++
		st, seen := known[r.ID]
		same := seen && st.PolicyDigest == eng.Digest() && st.ConfigDigest == oc.Org.Digest()
		if same && !r.PushedAt.After(st.PushedAt) {
			rec.Unchanged++
			continue
		}
		if err := w.pace(inst); err != nil {
			return err
		}
		evaluated, err := w.sweepRepo(ctx, inst, a.InstallationID, oc, eng, r, st, same)
		var rl *RateLimitedError
		switch {
		case errors.As(err, &rl):
			return err // snooze; the next attempt skips what is done
		case err != nil:
			// One repository's failure never stops the others; the next sweep retries it.
			logger(ctx).Error().Err(err).Str("repository", r.Owner+"/"+r.Name).Msg("sweep: repository not evaluated")
		case evaluated:
			rec.Evaluated++
		default:
			rec.Unchanged++
		}
	}
	for id := range known {
		if !listed[id] {
			// Deleted, archived, ignored or no longer in the installation.
			if err := w.Store.DeleteRepo(ctx, id); err != nil {
				return err
			}
		}
	}
	rec.FinishedAt = w.now().UTC()
	return w.publish(ctx, inst, a, oc, &rec)
}

// pace waits out the rate-limit window when the installation's budget is down to
// the reserve kept for pull requests, by snoozing the sweep until the reset.
func (w *SweepWorker) pace(inst Installation) error {
	remaining, reset, known := inst.RateLimit()
	if known && remaining < rateReserve && reset.After(w.now()) {
		return &RateLimitedError{Until: reset, Err: fmt.Errorf("sweep keeps %d requests for pull requests (%d left)", rateReserve, remaining)}
	}
	return nil
}

// sweepRepo evaluates one repository's default branch; it reports false when the
// tree turned out unchanged (only the listing's pushed_at moved).
func (w *SweepWorker) sweepRepo(ctx context.Context, inst Installation, instID int64, oc *orgConfig, eng *policies.Engine, r RepoInfo, st store.RepoState, sameRules bool) (bool, error) {
	snap := inst.Snapshot(r.Owner, r.Name, r.DefaultBranch)
	tree, err := inst.TreeSHA(ctx, snap)
	if err != nil {
		return false, err
	}
	next := store.RepoState{
		RepoID: r.ID, InstallationID: instID, Owner: r.Owner, Name: r.Name, DefaultBranch: r.DefaultBranch,
		PushedAt: r.PushedAt, TreeSHA: tree, PolicyDigest: eng.Digest(), ConfigDigest: oc.Org.Digest(),
		Evaluation: st.Evaluation, EvaluatedAt: st.EvaluatedAt,
	}
	if sameRules && tree == st.TreeSHA {
		// Keep the stored evaluation: read it back, since the sweep listed states
		// without their evaluations.
		return false, w.Store.TouchRepoState(ctx, r.ID, r.PushedAt)
	}
	override, problem, err := w.override(ctx, inst, instID, r.Owner, r.Name, r.DefaultBranch, oc.Org, false)
	if err != nil {
		return false, err
	}
	repo := policies.Repository{Owner: r.Owner, Name: r.Name, DefaultBranch: r.DefaultBranch, Description: r.Description,
		Topics: r.Topics, Archived: r.Archived, Fork: r.Fork, TemplateRepository: r.Template}
	start := time.Now()
	ev, err := eng.Evaluate(ctx, snap, policies.Request{Repository: repo, Org: oc.Org, Override: override, Today: w.now().UTC()})
	if w.Metrics != nil {
		w.Metrics.Evaluation.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		return false, fmt.Errorf("evaluate %s/%s: %w", r.Owner, r.Name, err)
	}
	ev.Problems = append(ev.Problems, oc.Problems...)
	if problem != nil {
		ev.Problems = append(ev.Problems, *problem)
	}
	if next.Evaluation, err = json.Marshal(ev); err != nil {
		return false, err
	}
	next.EvaluatedAt = w.now().UTC()
	return true, w.Store.SaveRepoState(ctx, next)
}
