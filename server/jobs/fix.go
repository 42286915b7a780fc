package jobs

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/fix"
	"github.com/goldenpath/goldenpath/server/fixpr"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/markdown"
	"github.com/goldenpath/goldenpath/server/store"
)

// FixCheckName is the check run that tells the outcome of a "Fix it for me" press.
const FixCheckName = "Golden Path fix"

// FixWorker keeps a repository's fix pull request (server/fixpr) in line with
// the evaluation of its default branch.
type FixWorker struct {
	river.WorkerDefaults[jobargs.FixArgs]

	github   ghport.GitHub
	store    *store.Store
	configs  *configLoader
	judge    *judge
	fixes    *fixPlanner
	outcomes *jobOutcomes
}

func (s *Services) fixWorker() *FixWorker {
	return &FixWorker{github: s.deps.GitHub, store: s.deps.Store, configs: s.configs, judge: s.judge, fixes: s.fixes, outcomes: s.outcomes}
}

// Timeout bounds one attempt.
func (w *FixWorker) Timeout(*river.Job[jobargs.FixArgs]) time.Duration { return 5 * time.Minute }

// Work implements river.Worker. A missing permission is told (check run, the
// team's progress) and the job cancelled: retrying cannot help until an owner
// grants contents and pull_requests write.
func (w *FixWorker) Work(ctx context.Context, job *river.Job[jobargs.FixArgs]) error {
	a := job.Args
	if a.Team != "" {
		// A team's request leaves the reserve to pull requests; at the reserve
		// its requests are refused and the job waits for the reset.
		ctx = ghport.WithWork(ctx, ghport.KindTeamFix)
	}
	res, err := w.fix(ctx, a)
	problem := ""
	switch {
	case errors.Is(err, ghport.ErrForbidden):
		problem = "the app may not push a branch or open a pull request: an owner must grant it contents: write and pull_requests: write (goldenpath setup --fixes)"
	case errors.Is(err, errFixesDisabled):
		problem = "fixes.enabled is false in golden-path.yaml"
	case err != nil:
		// Rate limits and a suspension wait, other failures retry; the last one is told.
		if out := w.outcomes.of(ctx, job.Kind, a.Owner+"/"+a.Repo, err); !lastFailure(out, job.Attempt, job.MaxAttempts) {
			return out
		}
		problem = err.Error()
	case res.Outcome == fixpr.Blocked:
		problem = "a person pushed to " + fixpr.Branch + ": the app leaves the branch to them"
	}
	w.tell(ctx, a, res, problem)
	if err != nil {
		return river.JobCancel(err)
	}
	return nil
}

var errFixesDisabled = errors.New("fixes are not enabled")

func (w *FixWorker) fix(ctx context.Context, a jobargs.FixArgs) (fixpr.Result, error) {
	full := a.Owner + "/" + a.Repo
	inst, err := w.github.Installation(ctx, a.InstallationID)
	if err != nil {
		return fixpr.Result{}, err
	}
	gh, ok := inst.(fixpr.GitHub)
	if !ok {
		return fixpr.Result{}, fmt.Errorf("fix %s: the GitHub client cannot push branches", full)
	}
	t := target{inst: inst, instID: a.InstallationID, owner: a.Owner, repo: a.Repo, repoID: a.RepoID, defaultBranch: a.DefaultBranch}
	oc, err := w.configs.load(ctx, t)
	if err != nil {
		return fixpr.Result{}, err
	}
	if !oc.Config.Fixes.Enabled {
		return fixpr.Result{}, errFixesDisabled
	}
	head, err := inst.BranchHead(ctx, a.Owner, a.Repo, a.DefaultBranch)
	if err != nil {
		return fixpr.Result{}, err
	}
	override, err := w.judge.override(ctx, t, oc.Config, nil)
	if err != nil {
		return fixpr.Result{}, err
	}
	repo, err := w.judge.knownFacts(ctx, t)
	if err != nil {
		return fixpr.Result{}, err
	}
	snap := inst.Snapshot(a.Owner, a.Repo, head)
	j, err := w.judge.evaluate(ctx, snap, oc, override, repo)
	if err != nil {
		return fixpr.Result{}, fmt.Errorf("evaluate %s@%s: %w", full, ghport.ShortSHA(head), err)
	}
	ev := j.Evaluation
	tree, err := inst.TreeSHA(ctx, snap)
	if err != nil {
		return fixpr.Result{}, err
	}
	var allowed []string
	for _, r := range failingRules(ev) {
		if fixAllowed(oc.Config.Fixes, r) {
			allowed = append(allowed, r)
		}
	}
	plan, err := w.fixes.plan(ctx, inst, snap, repo, ev, oc.Config.Fixes, allowed)
	if err != nil {
		return fixpr.Result{}, err
	}
	res, err := fixpr.Keep(ctx, gh, w.store, fixpr.Request{
		RepoID: a.RepoID, Owner: a.Owner, Repo: a.Repo, DefaultBranch: a.DefaultBranch, Base: head, BaseTree: tree, Plan: plan,
	})
	if err == nil {
		logger(ctx).Info().Str("repository", full).Str("outcome", string(res.Outcome)).Int("pull", res.Number).Msg("fix pull request kept")
	}
	return res, err
}

// fixPlanner makes the files `goldenpath fix` writes, for the check to show and
// the fix pull request to add.
type fixPlanner struct {
	configRepo, configPath string // where the org's fixes.templates are read from
	webURL                 string
}

// plan is what the generators make of the given rules of a repository, with
// the org's fixes.templates over the bundled ones.
func (p *fixPlanner) plan(ctx context.Context, inst ghport.Installation, snap policies.Snapshot, repo policies.Repository,
	ev *policies.Evaluation, fixes config.Fixes, rules []string) (*fix.Plan, error) {
	if len(rules) == 0 {
		return &fix.Plan{}, nil
	}
	gen, err := p.generator(ctx, inst, repo.Owner, fixes.Templates)
	if err != nil {
		return nil, err
	}
	facts, err := fix.Gather(ctx, snap, repo, ev, fix.Options{WebURL: p.webURL, DefaultOwner: fixes.Owner})
	if err != nil {
		return nil, err
	}
	return gen.Plan(facts, rules)
}

// generator is the generator with the org's fixes.templates, read from the
// config repository (paths relative to golden-path.yaml's directory).
func (p *fixPlanner) generator(ctx context.Context, inst ghport.Installation, owner string, templates map[string]string) (*fix.Generator, error) {
	if len(templates) == 0 {
		return fix.Bundled, nil
	}
	texts := map[string]string{}
	for target, src := range templates {
		file := path.Join(path.Dir(p.configPath), src)
		data, found, err := inst.File(ctx, owner, p.configRepo, "HEAD", file)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("fixes.templates.%s: %s/%s has no %s", target, owner, p.configRepo, file)
		}
		texts[target] = string(data)
	}
	return fix.New(texts)
}

// failingRules are the IDs of the rules ev fails.
func failingRules(ev *policies.Evaluation) []string {
	var out []string
	for _, r := range ev.Results {
		if r.Status == policies.StatusFail {
			out = append(out, r.Rule)
		}
	}
	return out
}

// fixableFailure says whether ev fails a rule that has a fix and the org lets
// the app fix, as the stored outcome tells (existing files are the plan's to judge).
func fixableFailure(ev *policies.Evaluation, fixes config.Fixes) bool {
	return slices.ContainsFunc(failingRules(ev), func(rule string) bool {
		return fixAllowed(fixes, rule) && slices.Contains(fix.Rules(), rule)
	})
}

// fixAllowed says whether the org lets the app fix rule (fixes.rules; empty: all).
func fixAllowed(fixes config.Fixes, rule string) bool {
	return len(fixes.Rules) == 0 || slices.Contains(fixes.Rules, rule)
}

// tell reports the outcome where it was asked for: a check run on the pressed
// commit, and the team's progress in the report.
func (w *FixWorker) tell(ctx context.Context, a jobargs.FixArgs, res fixpr.Result, problem string) {
	log := logger(ctx).With().Str("repository", a.Owner+"/"+a.Repo).Logger()
	if a.Team != "" {
		if err := w.store.FixRunStep(ctx, a.Owner, a.Team, problem); err != nil {
			log.Warn().Err(err).Msg("could not count the fix pull request in the team's progress")
		}
		if err := insert(ctx, w.store, jobargs.PublishArgs{InstallationID: a.InstallationID, Owner: a.Owner}); err != nil {
			log.Warn().Err(err).Msg("could not schedule the report")
		}
	}
	if a.HeadSHA == "" {
		return
	}
	run := ghport.CheckRun{Name: FixCheckName, HeadSHA: a.HeadSHA, Status: "completed", Conclusion: "success"}
	switch {
	case problem != "":
		run.Conclusion, run.Title = "neutral", "Fix pull request not opened"
		run.Summary = "The fix pull request could not be opened or updated: " + markdown.Text(problem) + "."
	case res.Outcome == fixpr.Nothing:
		run.Title, run.Summary = "Nothing to fix", "No failing rule of "+markdown.Code(a.DefaultBranch)+" has a fix the app can make."
	case res.Outcome == fixpr.Refused:
		run.Conclusion, run.Title = "neutral", "Fix pull request refused"
		run.Summary = "A person closed the fix pull request unmerged: the app does not propose these files again."
	default:
		run.Title = fmt.Sprintf("Fix pull request #%d %s", res.Number, res.Outcome)
		run.Summary = fmt.Sprintf("Pull request #%d from %s is %s.", res.Number, markdown.Code(fixpr.Branch), res.Outcome)
	}
	inst, err := w.github.Installation(ctx, a.InstallationID)
	if err == nil {
		_, err = inst.CreateCheckRun(ctx, a.Owner, a.Repo, run)
	}
	if err != nil {
		log.Warn().Err(err).Msg("could not report the fix pull request on the check")
	}
}
