package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/store"
)

// judge evaluates repositories with the evaluation service (whose compiled
// engines every worker shares) and stores what it judged: every job that
// evaluates a repository goes through it.
type judge struct {
	store       *store.Store
	metrics     *metrics.Metrics // nil: nothing is observed
	evaluations *evaluation.Service
	// requestBudget bounds the requests of one evaluation from a stored listing (0: none).
	requestBudget int
	now           func() time.Time
}

// storedSnapshot rebuilds the snapshot of a repository's evaluated tree from its
// stored listing, with the facts evaluated with it; the snapshot is nil when none
// is stored or it cannot be read.
func (j *judge) storedSnapshot(ctx context.Context, inst ghport.Installation, st store.RepoState) (policies.Snapshot, policies.Repository) {
	repo := policies.Repository{Owner: st.Owner, Name: st.Name, DefaultBranch: st.DefaultBranch}
	if st.TreeSHA == "" {
		return nil, repo
	}
	entries, facts, err := j.store.RepoListing(ctx, st.RepoID)
	if err != nil {
		// Listing the tree again repairs it.
		logger(ctx).Warn().Err(err).Str("repository", st.Owner+"/"+st.Name).Msg("stored listing unreadable")
		return nil, repo
	}
	if entries == nil {
		return nil, repo
	}
	return inst.StoredSnapshot(st.Owner, st.Name, st.TreeSHA, entries, j.requestBudget), named(facts, st.Owner, st.Name, st.DefaultBranch)
}

// named gives stored facts the repository's current name and default branch.
func named(facts policies.Repository, owner, name, branch string) policies.Repository {
	facts.Owner, facts.Name, facts.DefaultBranch = owner, name, branch
	return facts
}

// knownFacts are the facts of a repository that webhooks do not carry (its
// template, description, topics), as the last sweep listed them, so that a push
// or a pull request is judged like the sweep judges it.
func (j *judge) knownFacts(ctx context.Context, t target) (policies.Repository, error) {
	facts, err := j.store.RepoFacts(ctx, t.repoID)
	return named(facts, t.owner, t.repo, t.defaultBranch), err
}

// saveDefaultBranch stores a default-branch evaluation with its tree's listing:
// the report aggregates it, and later changes of rules re-evaluate from it.
func (j *judge) saveDefaultBranch(ctx context.Context, t target, pushedAt time.Time, repo policies.Repository, snap policies.Snapshot, res judgement) error {
	ev := res.Evaluation
	tree, err := t.inst.TreeSHA(ctx, snap)
	if err != nil {
		return err
	}
	entries, err := snap.Entries(ctx)
	if err != nil {
		return err
	}
	// A partial listing is not kept: a later change of rules lists the tree
	// again rather than judge what was cut as absent.
	if ev.Partial != "" {
		entries = nil
	} else if entries == nil {
		entries = []policies.Entry{} // an empty tree is a listing too
	}
	return j.store.SaveRepoState(ctx, store.RepoState{
		RepoID: t.repoID, InstallationID: t.instID, Owner: repo.Owner, Name: repo.Name, DefaultBranch: repo.DefaultBranch,
		PushedAt: pushedAt, TreeSHA: tree, PolicyDigest: res.PolicyDigest, ConfigDigest: res.ConfigDigest,
		Evaluation: ev, EvaluatedAt: j.now().UTC(), Listing: entries, Facts: &repo,
	})
}

// override returns a repository's own .github/golden-path.yaml as its default
// branch has it, parsed and checked against the org's configuration. A pull
// request never reads it from its own head: it cannot exempt itself.
func (j *judge) override(ctx context.Context, t target, org *config.Org, defaultSnap policies.Snapshot) (evaluation.Override, error) {
	data, exists, err := j.overrideFile(ctx, t, defaultSnap)
	if err != nil {
		return evaluation.Override{}, err
	}
	return evaluation.ParseOverride(data, exists, org), nil
}

// overrideFile reads the repository's own configuration file. Given a snapshot of
// the default branch, it reads it from there (through the blob cache) and
// refreshes the cached copy; otherwise the cached copy serves, read once from the
// default branch when missing.
func (j *judge) overrideFile(ctx context.Context, t target, defaultSnap policies.Snapshot) (data []byte, exists bool, err error) {
	const path = evaluation.OverridePath
	full := t.fullName()
	if defaultSnap == nil {
		var found bool
		data, found, exists, err = j.store.CachedFile(ctx, t.instID, full, cacheRefDefault, path)
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
	return data, exists, j.store.SaveCachedFile(ctx, t.instID, full, cacheRefDefault, path, data, exists)
}

// judgement is an evaluation with what it was made under.
type judgement struct {
	*policies.Evaluation
	PolicyDigest, ConfigDigest string
}

// evaluate runs the evaluation service on one commit of a repository under the
// org's settings.
func (j *judge) evaluate(ctx context.Context, snap policies.Snapshot, oc *evaluation.Org, ov evaluation.Override, repo policies.Repository) (judgement, error) {
	start := time.Now()
	ev, eng, err := j.evaluations.Evaluate(ctx, snap, repo, oc, ov)
	if j.metrics != nil {
		j.metrics.Evaluation.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		return judgement{}, err
	}
	return judgement{Evaluation: ev, PolicyDigest: eng.Digest(), ConfigDigest: oc.Config.Digest()}, nil
}

// save stores an evaluation of commit sha (at ref) so later pull requests can
// compare against it.
func (j *judge) save(ctx context.Context, t target, ref, sha string, res judgement) error {
	return j.store.SaveEvaluation(ctx, store.EvaluationRecord{
		InstallationID: t.instID, RepoID: t.repoID, Owner: t.owner, Repo: t.repo, HeadSHA: sha, Ref: ref,
		PolicyDigest: res.PolicyDigest, ConfigDigest: res.ConfigDigest, Evaluation: res.Evaluation,
	})
}
