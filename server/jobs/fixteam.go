package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// MaxFixPullsPerRun caps one team request (the report's checkbox): a team
// owning more repositories ticks the box again once the run is done.
const MaxFixPullsPerRun = 500

// fixRequestCost is what one fix pull request may spend of the installation's
// hourly budget: its evaluation (branch, tree, a few blobs) and the ≤ 6
// requests that build it, with room to spare.
const fixRequestCost = 15

// FixTeamWorker queues one fix job per repository of the team that fails a
// rule, paced by the rate limit: what the budget above RateReserve affords now
// runs now, the rest waits for the budget's reset, an hour's worth at a time.
// Only repositories failing a rule the org lets the app fix are queued.
type FixTeamWorker struct {
	river.WorkerDefaults[jobargs.FixTeamArgs]

	github   ghport.GitHub
	store    *store.Store
	configs  *configLoader
	outcomes *jobOutcomes
	now      func() time.Time
}

func (s *Services) fixTeamWorker() *FixTeamWorker {
	return &FixTeamWorker{github: s.deps.GitHub, store: s.deps.Store, configs: s.configs, outcomes: s.outcomes, now: s.deps.Now}
}

// Work implements river.Worker.
func (w *FixTeamWorker) Work(ctx context.Context, job *river.Job[jobargs.FixTeamArgs]) error {
	a := job.Args
	inst, err := w.github.Installation(ctx, a.InstallationID)
	if err != nil {
		return w.outcomes.of(ctx, job.Kind, a.Owner, err)
	}
	oc, err := w.configs.load(ctx, target{inst: inst, instID: a.InstallationID, owner: a.Owner})
	if err != nil {
		return err
	}
	dec := store.NewOutcomeDecoder(nil)
	var team string
	var repos []store.RepoState
	err = w.store.RepoStates(ctx, a.Owner, func(s store.RepoState) error {
		if len(s.Outcome) == 0 {
			return nil
		}
		ev, err := dec.Decode(s.Outcome)
		if err != nil {
			return fmt.Errorf("stored outcome of %s: %w", s.Name, err)
		}
		if !fixableFailure(ev, oc.Config.Fixes) {
			return nil
		}
		// A monorepo is a repository of each team owning one of its components.
		for _, owner := range report.Teams(ev) {
			if owner != "" && report.FixLabel(owner) == a.Label {
				team = owner
				repos = append(repos, s)
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	repos = repos[:min(len(repos), MaxFixPullsPerRun)]
	if err := w.store.StartFixRun(ctx, a.Owner, a.Label, len(repos)); err != nil {
		return err
	}
	now := w.now()
	remaining, reset, known := inst.RateLimit()
	perHour := 5000 / fixRequestCost
	affordable := len(repos)
	if known {
		affordable = max(0, remaining-ghport.RateReserve) / fixRequestCost
	}
	if !reset.After(now) {
		reset = now.Add(time.Hour)
	}
	err = w.store.InTx(ctx, func(tx *store.Tx) error {
		for i, r := range repos {
			opts := &river.InsertOpts{}
			if i >= affordable {
				hours := (i - affordable) / perHour
				opts.ScheduledAt = reset.Add(time.Duration(hours) * time.Hour)
			}
			args := jobargs.FixArgs{InstallationID: a.InstallationID, RepoID: r.RepoID, Owner: r.Owner, Repo: r.Name,
				DefaultBranch: r.DefaultBranch, Team: a.Label}
			if _, err := tx.InsertJob(ctx, args, opts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	logger(ctx).Info().Str("owner", a.Owner).Str("team", strings.TrimSpace(team)).Int("repositories", len(repos)).
		Int("now", min(affordable, len(repos))).Msg("fix pull requests queued for a team")
	return insert(ctx, w.store, jobargs.PublishArgs{InstallationID: a.InstallationID, Owner: a.Owner})
}
