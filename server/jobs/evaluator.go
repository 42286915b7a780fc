package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/store"
)

// Settings are what the jobs need to know about the deployment.
type Settings struct {
	CheckName  string // name of the check run, "Golden Path" by default
	ConfigRepo string // the org repository holding golden-path.yaml
	ConfigPath string
	Limits     policies.Limits
	// RequestBudget bounds the GitHub requests of one repository's evaluation in
	// a sweep (0: none); past it the evaluation is partial.
	RequestBudget int
	PublicURL     string // base of links to the JSON API; optional
	WebURL        string // GitHub's web address, for links to issues
}

// reportURL links to an organisation's adoption report issue, "" before the first
// report or when its record cannot be read (a link is not worth failing a check).
func (e *Evaluator) reportURL(ctx context.Context, owner string) string {
	is, err := e.Store.ReportIssue(ctx, owner)
	if err != nil || is.Number == 0 || e.Settings.WebURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/issues/%d", strings.TrimSuffix(e.Settings.WebURL, "/"), owner, is.Repo, is.Number)
}

// APIURL links to an organisation's JSON report, "" without a public URL.
func (s Settings) APIURL(owner string) string {
	if s.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.PublicURL, "/") + "/api/v1/orgs/" + owner + "/report"
}

// Deps are what the jobs run on; server.New provides them.
type Deps struct {
	GitHub   ghport.GitHub
	Store    *store.Store
	Metrics  *metrics.Metrics // nil: nothing is counted
	Settings Settings
	Now      func() time.Time // nil: time.Now
	// Evaluations judges repositories (nil: a service of its own, within
	// Settings.Limits); its compiled engines are shared by every worker.
	Evaluations *evaluation.Service
}

// Evaluator holds what every worker shares: GitHub access, the store, and the
// compiled rule engines (one per set of custom rules).
type Evaluator struct {
	Deps
	// Reports holds why an organisation's report issue could not be written.
	Reports ReportProblems
	// Waits are the jobs of this process waiting for a rate limit.
	Waits RateWaits

	configs *configLoader
}

// New builds the jobs over d.
func New(d Deps) *Evaluator {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Evaluations == nil {
		d.Evaluations = evaluation.New(d.Settings.Limits, d.Now)
	}
	return &Evaluator{Deps: d, configs: newConfigLoader(d.Store, d.Settings)}
}

// evaluations returns the evaluation service.
func (e *Evaluator) evaluations() *evaluation.Service { return e.Evaluations }

func (e *Evaluator) now() time.Time { return e.Now() }

// target is the repository a job works on, in its installation.
type target struct {
	inst          ghport.Installation
	instID        int64
	owner, repo   string
	repoID        int64
	defaultBranch string
}

func (t target) fullName() string { return t.owner + "/" + t.repo }

// override returns a repository's own .github/golden-path.yaml as its default
// branch has it, parsed and checked against the org's configuration. A pull
// request never reads it from its own head: it cannot exempt itself.
func (e *Evaluator) override(ctx context.Context, t target, org *config.Org, defaultSnap policies.Snapshot) (evaluation.Override, error) {
	data, exists, err := e.overrideFile(ctx, t, defaultSnap)
	if err != nil {
		return evaluation.Override{}, err
	}
	return evaluation.ParseOverride(data, exists, org), nil
}

// overrideFile reads the repository's own configuration file. Given a snapshot of
// the default branch, it reads it from there (through the blob cache) and
// refreshes the cached copy; otherwise the cached copy serves, read once from the
// default branch when missing.
func (e *Evaluator) overrideFile(ctx context.Context, t target, defaultSnap policies.Snapshot) (data []byte, exists bool, err error) {
	const path = evaluation.OverridePath
	full := t.fullName()
	if defaultSnap == nil {
		var found bool
		data, found, exists, err = e.Store.CachedFile(ctx, t.instID, full, cacheRefDefault, path)
		if err != nil || found {
			return data, exists, err
		}
		data, exists, err = t.inst.File(ctx, t.owner, t.repo, t.defaultBranch, path)
	} else {
		var files map[string][]byte
		files, err = defaultSnap.Read(ctx, []string{path})
		data, exists = files[path]
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s/%s: %w", full, path, err)
	}
	return data, exists, e.Store.SaveCachedFile(ctx, t.instID, full, cacheRefDefault, path, data, exists)
}

// judgement is an evaluation with what it was made under.
type judgement struct {
	*policies.Evaluation
	PolicyDigest, ConfigDigest string
}

// evaluate runs the evaluation service on one commit of a repository under the
// org's settings.
func (e *Evaluator) evaluate(ctx context.Context, snap policies.Snapshot, oc *evaluation.Org, ov evaluation.Override, repo policies.Repository) (judgement, error) {
	start := time.Now()
	ev, eng, err := e.evaluations().Evaluate(ctx, snap, repo, oc, ov)
	if e.Metrics != nil {
		e.Metrics.Evaluation.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		return judgement{}, err
	}
	return judgement{Evaluation: ev, PolicyDigest: eng.Digest(), ConfigDigest: oc.Config.Digest()}, nil
}

// save stores an evaluation of commit sha (at ref) so later pull requests can
// compare against it.
func (e *Evaluator) save(ctx context.Context, t target, ref, sha string, j judgement) error {
	return e.Store.SaveEvaluation(ctx, store.EvaluationRecord{
		InstallationID: t.instID, RepoID: t.repoID, Owner: t.owner, Repo: t.repo, HeadSHA: sha, Ref: ref,
		PolicyDigest: j.PolicyDigest, ConfigDigest: j.ConfigDigest, Evaluation: j.Evaluation,
	})
}

func logger(ctx context.Context) *zerolog.Logger { return zerolog.Ctx(ctx) }

// insert queues a job outside any other transaction.
func (e *Evaluator) insert(ctx context.Context, args river.JobArgs) error {
	return e.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertJob(ctx, args, nil)
		return err
	})
}
