package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/policies/fix"
	"github.com/goldenpath/goldenpath/server/checks"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
)

// PullWorker evaluates a pull request's head and reports it as a check run and the
// sticky comment.
type PullWorker struct {
	river.WorkerDefaults[jobargs.PullArgs]

	github   ghport.GitHub
	store    *store.Store
	settings Settings
	configs  *configLoader
	judge    *judge
	reports  *Reports
	fixes    *fixPlanner
	outcomes *jobOutcomes
}

func (s *Services) pullWorker() *PullWorker {
	return &PullWorker{github: s.deps.GitHub, store: s.deps.Store, settings: s.deps.Settings, configs: s.configs,
		judge: s.judge, reports: s.Reports, fixes: s.fixes, outcomes: s.outcomes}
}

// Timeout bounds one attempt; a slow GitHub makes the attempt fail and retry.
func (w *PullWorker) Timeout(*river.Job[jobargs.PullArgs]) time.Duration { return 5 * time.Minute }

// Work implements river.Worker.
func (w *PullWorker) Work(ctx context.Context, job *river.Job[jobargs.PullArgs]) error {
	a := job.Args
	err, gone := doubtGone(w.evaluatePull(ctx, a), job.Attempt)
	res := w.outcomes.of(ctx, job.Kind, a.Owner+"/"+a.Repo, err)
	var completed checkCompletedError
	if (gone || lastFailure(res, job.Attempt, job.MaxAttempts)) && !errors.As(err, &completed) {
		w.giveUp(ctx, a, err)
	}
	return res
}

// checkCompletedError is a failure after the check run was completed (of the sticky
// comment): giving up must not overwrite the verdict already shown.
type checkCompletedError struct{ error }

func (e checkCompletedError) Unwrap() error { return e.error }

// lastFailure says whether a job's outcome ends it for good: a failure on its
// last allowed attempt (River discards it) or a cancellation. A snooze or a
// success does not.
func lastFailure(res error, attempt, maxAttempts int) bool {
	var cancel *river.JobCancelError
	switch {
	case res == nil || isSnooze(res):
		return false
	case errors.As(res, &cancel):
		return true
	}
	return attempt >= maxAttempts
}

// giveUp completes the check run of an evaluation that cannot happen, saying why,
// so that no run stays in progress; the job is then cancelled. Without a run (its
// creation was refused) there is nothing to complete.
func (w *PullWorker) giveUp(ctx context.Context, a jobargs.PullArgs, reason error) {
	log := logger(ctx).With().Str("repository", a.Owner+"/"+a.Repo).Logger()
	id, err := w.store.CheckRunID(ctx, a.RepoID, a.HeadSHA, w.settings.CheckName)
	if err != nil {
		log.Warn().Err(err).Msg("could not look up the check run of an evaluation given up")
		return
	}
	if id == 0 {
		log.Warn().Err(reason).Msg("evaluation given up before its check run was created: no run left in progress")
		return
	}
	inst, err := w.github.Installation(ctx, a.InstallationID)
	if err == nil {
		title := "Golden-path rules could not be evaluated"
		if errors.Is(reason, ghport.ErrForbidden) {
			title = "Golden-path rules could not be evaluated: permission missing"
		}
		err = inst.UpdateCheckRun(ctx, a.Owner, a.Repo, id, ghport.CheckRun{
			Name: w.settings.CheckName, Status: "completed", Conclusion: "neutral", Title: title,
			Summary: "The evaluation of this commit was given up:\n\n```\n" + reason.Error() + "\n```\n\nPush again or re-run the check once this is resolved.",
		})
	}
	if err != nil {
		log.Warn().Err(err).Msg("could not complete the check run of an evaluation given up")
	}
}

func (w *PullWorker) evaluatePull(ctx context.Context, a jobargs.PullArgs) error {
	inst, err := w.github.Installation(ctx, a.InstallationID)
	if err != nil {
		return err
	}
	full := a.Owner + "/" + a.Repo
	runID, err := w.startCheckRun(ctx, inst, a)
	if err != nil {
		return err
	}
	if a.Repo == w.settings.ConfigRepo {
		return w.configPreview(ctx, inst, a, runID)
	}
	t := pullTarget(inst, a)
	oc, err := w.configs.load(ctx, t)
	if err != nil {
		return err
	}
	override, err := w.judge.override(ctx, t, oc.Config, nil)
	if err != nil {
		return err
	}
	repo, err := w.judge.knownFacts(ctx, t)
	if err != nil {
		return err
	}
	snap := inst.Snapshot(a.Owner, a.Repo, a.HeadSHA)
	j, err := w.judge.evaluate(ctx, snap, oc, override, repo)
	if err != nil {
		return fmt.Errorf("evaluate %s@%s: %w", full, ghport.ShortSHA(a.HeadSHA), err)
	}
	if err := w.judge.save(ctx, t, fmt.Sprintf("refs/pull/%d/head", a.Number), a.HeadSHA, j); err != nil {
		return err
	}
	ev := j.Evaluation
	facts := checks.Facts{Blocking: oc.Config.Enforcement == "blocking", DetailsURL: w.reports.issueURL(ctx, a.Owner),
		Fixes: w.fixFiles(ctx, inst, snap, repo, ev, oc)}
	facts.OfferFix = oc.Config.Fixes.Enabled && slices.ContainsFunc(facts.Fixes, func(f fix.File) bool { return fixAllowed(oc.Config.Fixes, f.Rule) })
	if a.BaseSHA != "" {
		if facts.Base, err = w.baseEvaluation(ctx, t, a.BaseSHA, oc, override, repo); err != nil {
			return err
		}
	}
	out := checks.CheckOutput(ev, facts)
	out.Name, out.HeadSHA = w.settings.CheckName, a.HeadSHA
	if err := inst.UpdateCheckRun(ctx, a.Owner, a.Repo, runID, out); err != nil {
		return fmt.Errorf("complete check run of %s@%s: %w", full, ghport.ShortSHA(a.HeadSHA), err)
	}
	logger(ctx).Info().Str("repository", full).Int("pull", a.Number).Str("conclusion", out.Conclusion).
		Str("title", out.Title).Msg("pull request evaluated")
	if a.Number == 0 {
		return nil
	}
	if err := w.updateComment(ctx, inst, a, checks.NeedsComment(ev), checks.CommentBody(ev, facts)); err != nil {
		return checkCompletedError{err}
	}
	return nil
}

// pullTarget is the pull request's repository in inst.
func pullTarget(inst ghport.Installation, a jobargs.PullArgs) target {
	return target{inst: inst, instID: a.InstallationID, owner: a.Owner, repo: a.Repo, repoID: a.RepoID, defaultBranch: a.DefaultBranch}
}

// startCheckRun creates the in-progress check run, or finds the one an earlier,
// interrupted attempt created, so a crash never leaves a second run beside it.
func (w *PullWorker) startCheckRun(ctx context.Context, inst ghport.Installation, a jobargs.PullArgs) (int64, error) {
	id, err := w.store.CheckRunID(ctx, a.RepoID, a.HeadSHA, w.settings.CheckName)
	if err != nil || id != 0 {
		return id, err
	}
	id, err = inst.CreateCheckRun(ctx, a.Owner, a.Repo, ghport.CheckRun{
		Name: w.settings.CheckName, HeadSHA: a.HeadSHA, Status: "in_progress",
		Title: "Evaluating golden-path rules", Summary: "The evaluation has started.",
	})
	if err != nil {
		return 0, fmt.Errorf("create check run on %s/%s@%s: %w", a.Owner, a.Repo, ghport.ShortSHA(a.HeadSHA), err)
	}
	return id, w.store.SaveCheckRunID(ctx, a.RepoID, a.HeadSHA, w.settings.CheckName, id)
}

// baseEvaluation is the base commit's evaluation, from the store when the default
// branch was evaluated at that commit, otherwise evaluated now (blobs mostly cached)
// and stored for the next pull request on the same base.
func (w *PullWorker) baseEvaluation(ctx context.Context, t target, sha string, oc *evaluation.Org, ov evaluation.Override, repo policies.Repository) (*policies.Evaluation, error) {
	rec, err := w.store.Evaluation(ctx, t.repoID, sha)
	if err != nil && !errors.Is(err, store.ErrCorrupt) { // a corrupt one is evaluated again
		return nil, err
	}
	if rec != nil {
		return rec.Evaluation, nil
	}
	j, err := w.judge.evaluate(ctx, t.inst.Snapshot(t.owner, t.repo, sha), oc, ov, repo)
	if err != nil {
		return nil, fmt.Errorf("evaluate base %s@%s: %w", t.fullName(), ghport.ShortSHA(sha), err)
	}
	return j.Evaluation, w.judge.save(ctx, t, "base", sha, j)
}

// updateComment keeps the one sticky comment true: edited in place when it exists,
// created only when something fails, never twice even when evaluations race.
func (w *PullWorker) updateComment(ctx context.Context, inst ghport.Installation, a jobargs.PullArgs, needed bool, body string) error {
	// Only the newest head of a pull request speaks in its comment: an evaluation of
	// an older head finishing late must not overwrite a newer verdict.
	if head, err := w.store.PullHead(ctx, a.RepoID, a.Number); err != nil || (head != "" && head != a.HeadSHA) {
		return err
	}
	id, mine, err := w.claimComment(ctx, a)
	if err != nil {
		return err
	}
	if mine {
		// First time for this pull request: a comment may exist from before the
		// store knew it (a restored database, another deployment).
		if id, err = inst.FindComment(ctx, a.Owner, a.Repo, a.Number, checks.CommentMarker); err != nil {
			return w.releaseOnError(ctx, a, err)
		}
		if id == 0 && !needed {
			return w.store.ForgetComment(ctx, a.RepoID, a.Number)
		}
		if id == 0 {
			if id, err = inst.CreateComment(ctx, a.Owner, a.Repo, a.Number, body); err != nil {
				return w.releaseOnError(ctx, a, err)
			}
			return w.store.SaveComment(ctx, a.RepoID, a.Number, id)
		}
		if err := w.store.SaveComment(ctx, a.RepoID, a.Number, id); err != nil {
			return err
		}
	}
	err = inst.EditComment(ctx, a.Owner, a.Repo, id, body)
	if errors.Is(err, ghport.ErrGone) {
		// Someone deleted the comment: forget it, the next evaluation starts afresh.
		return w.store.ForgetComment(ctx, a.RepoID, a.Number)
	}
	return err
}

// claimComment waits briefly while another worker is creating the comment.
func (w *PullWorker) claimComment(ctx context.Context, a jobargs.PullArgs) (int64, bool, error) {
	for range 40 {
		id, mine, err := w.store.ClaimComment(ctx, a.RepoID, a.Number, 2*time.Minute)
		if !errors.Is(err, store.ErrCommentPending) {
			return id, mine, err
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return 0, false, river.JobSnooze(10 * time.Second)
}

func (w *PullWorker) releaseOnError(ctx context.Context, a jobargs.PullArgs, err error) error {
	if rerr := w.store.ForgetComment(ctx, a.RepoID, a.Number); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// fixFiles are the files `goldenpath fix` would write for the failing rules, filled
// in from this repository's facts, for the comment and the check to show. They are
// a help, not the verdict: when they cannot be made, the rules' own remediation
// shows (and no button: the fix pull request could not be made either).
func (w *PullWorker) fixFiles(ctx context.Context, inst ghport.Installation, snap policies.Snapshot, repo policies.Repository, ev *policies.Evaluation, oc *evaluation.Org) []fix.File {
	plan, err := w.fixes.plan(ctx, inst, snap, repo, ev, oc.Config.Fixes, failingRules(ev))
	if err != nil {
		logger(ctx).Warn().Err(err).Str("repository", repo.FullName()).Msg("fix suggestions not made")
		return nil
	}
	return plan.Files
}
