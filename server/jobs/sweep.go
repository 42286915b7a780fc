package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/report"
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
	// Request keeps a sweep that must see a newer state from being absorbed by one
	// already running: "config <sha>" after a change of configuration, "rescan"
	// for a re-scan asked for in the report, "repositories" for repositories added
	// (several requests of a kind coalesce).
	Request  string `json:"request,omitempty" river:"unique"`
	Delivery string `json:"delivery,omitempty"`
}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts implements river.JobArgsWithInsertOpts: one sweep per installation
// waits or runs; a request meanwhile joins it.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueDefault,
		MaxAttempts: 20,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: pendingStates},
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

// Timeout bounds one attempt, and must stay below River's rescue of stuck jobs or
// a slow sweep would run twice. An attempt cut short resumes cheaply: what it
// evaluated is then unchanged.
func (w *SweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return 20 * time.Minute }

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
		pushed := !seen || r.PushedAt.After(st.PushedAt)
		if same && !pushed {
			rec.Unchanged++
			continue
		}
		if err := w.pace(inst); err != nil {
			return err
		}
		evaluated, err := w.sweepRepo(ctx, inst, a.InstallationID, oc, r, st, same, pushed)
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
// tree turned out unchanged (only the listing's pushed_at moved). A repository
// nothing was pushed to is re-evaluated (new rules or configuration) from its
// stored listing: no tree request, and blobs only where new rules read new files.
func (w *SweepWorker) sweepRepo(ctx context.Context, inst Installation, instID int64, oc *orgConfig, r RepoInfo, st store.RepoState, sameRules, pushed bool) (bool, error) {
	var snap policies.Snapshot
	if !pushed {
		snap, _ = w.storedSnapshot(ctx, inst, st) // the listing has fresher facts
	}
	if snap == nil {
		snap = inst.LimitedSnapshot(r.Owner, r.Name, r.DefaultBranch, w.Settings.RequestBudget)
		tree, err := inst.TreeSHA(ctx, snap)
		if err != nil {
			return false, err
		}
		if sameRules && tree == st.TreeSHA {
			return false, w.Store.TouchRepoState(ctx, r.ID, r.PushedAt)
		}
	}
	override, problem, err := w.override(ctx, inst, instID, r.Owner, r.Name, r.DefaultBranch, oc.Org, snap)
	if err != nil {
		return false, err
	}
	ev, eng, err := w.evaluate(ctx, snap, oc, override, r.repository())
	if err != nil {
		return false, fmt.Errorf("evaluate %s/%s: %w", r.Owner, r.Name, err)
	}
	if problem != nil {
		ev.Problems = append(ev.Problems, *problem)
	}
	return true, w.saveDefaultBranch(ctx, inst, instID, r.ID, r.PushedAt, r.repository(), snap, ev, eng, oc)
}

// storedSnapshot rebuilds the snapshot of a repository's evaluated tree from its
// stored listing, with the facts evaluated with it; the snapshot is nil when none
// is stored or it cannot be decoded.
func (e *Evaluator) storedSnapshot(ctx context.Context, inst Installation, st store.RepoState) (policies.Snapshot, policies.Repository) {
	repo := policies.Repository{Owner: st.Owner, Name: st.Name, DefaultBranch: st.DefaultBranch}
	if st.TreeSHA == "" {
		return nil, repo
	}
	raw, facts, err := e.Store.RepoListing(ctx, st.RepoID)
	if err != nil || len(raw) == 0 {
		return nil, repo
	}
	entries, err := decodeEntries(raw)
	if err != nil {
		// Listing the tree again repairs it.
		logger(ctx).Warn().Err(err).Str("repository", st.Owner+"/"+st.Name).Msg("stored listing unreadable")
		return nil, repo
	}
	return inst.StoredSnapshot(st.Owner, st.Name, st.TreeSHA, entries, e.Settings.RequestBudget), factsOf(facts, st.Owner, st.Name, st.DefaultBranch)
}

// factsOf decodes stored facts (JSON of policies.Repository) under the repository's
// current name; unreadable or missing facts leave only the name and branch.
func factsOf(facts []byte, owner, name, branch string) policies.Repository {
	var repo policies.Repository
	if len(facts) == 0 || json.Unmarshal(facts, &repo) != nil {
		repo = policies.Repository{}
	}
	repo.Owner, repo.Name, repo.DefaultBranch = owner, name, branch
	return repo
}

// knownFacts are the facts of a repository that webhooks do not carry (its
// template, description, topics), as the last sweep listed them, so that a push
// or a pull request is judged like the sweep judges it.
func (e *Evaluator) knownFacts(ctx context.Context, repoID int64, owner, name, branch string) (policies.Repository, error) {
	facts, err := e.Store.RepoFacts(ctx, repoID)
	return factsOf(facts, owner, name, branch), err
}

// saveDefaultBranch stores a default-branch evaluation with its tree's listing:
// the report aggregates it, and later changes of rules re-evaluate from it.
func (e *Evaluator) saveDefaultBranch(ctx context.Context, inst Installation, instID, repoID int64, pushedAt time.Time, repo policies.Repository, snap policies.Snapshot, ev *policies.Evaluation, eng *policies.Engine, oc *orgConfig) error {
	tree, err := inst.TreeSHA(ctx, snap)
	if err != nil {
		return err
	}
	entries, err := snap.Entries(ctx)
	if err != nil {
		return err
	}
	var listing []byte
	// A partial listing is not kept: a later change of rules lists the tree
	// again rather than judge what was cut as absent.
	if ev.Partial == "" {
		if listing, err = encodeEntries(entries); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	facts, err := json.Marshal(repo)
	if err != nil {
		return err
	}
	outcome, err := report.EncodeOutcome(ev)
	if err != nil {
		return err
	}
	return e.Store.SaveRepoState(ctx, store.RepoState{
		RepoID: repoID, InstallationID: instID, Owner: repo.Owner, Name: repo.Name, DefaultBranch: repo.DefaultBranch,
		PushedAt: pushedAt, TreeSHA: tree, PolicyDigest: eng.Digest(), ConfigDigest: oc.Org.Digest(),
		Evaluation: raw, Outcome: outcome, EvaluatedAt: e.now().UTC(), Listing: listing, Facts: facts,
	})
}
