package jobs

import (
	"context"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/store"
)

// storedSnapshot rebuilds the snapshot of a repository's evaluated tree from its
// stored listing, with the facts evaluated with it; the snapshot is nil when none
// is stored or it cannot be read.
func (e *Evaluator) storedSnapshot(ctx context.Context, inst ghport.Installation, st store.RepoState) (policies.Snapshot, policies.Repository) {
	repo := policies.Repository{Owner: st.Owner, Name: st.Name, DefaultBranch: st.DefaultBranch}
	if st.TreeSHA == "" {
		return nil, repo
	}
	entries, facts, err := e.Store.RepoListing(ctx, st.RepoID)
	if err != nil {
		// Listing the tree again repairs it.
		logger(ctx).Warn().Err(err).Str("repository", st.Owner+"/"+st.Name).Msg("stored listing unreadable")
		return nil, repo
	}
	if entries == nil {
		return nil, repo
	}
	return inst.StoredSnapshot(st.Owner, st.Name, st.TreeSHA, entries, e.Settings.RequestBudget), named(facts, st.Owner, st.Name, st.DefaultBranch)
}

// named gives stored facts the repository's current name and default branch.
func named(facts policies.Repository, owner, name, branch string) policies.Repository {
	facts.Owner, facts.Name, facts.DefaultBranch = owner, name, branch
	return facts
}

// knownFacts are the facts of a repository that webhooks do not carry (its
// template, description, topics), as the last sweep listed them, so that a push
// or a pull request is judged like the sweep judges it.
func (e *Evaluator) knownFacts(ctx context.Context, t target) (policies.Repository, error) {
	facts, err := e.Store.RepoFacts(ctx, t.repoID)
	return named(facts, t.owner, t.repo, t.defaultBranch), err
}

// saveDefaultBranch stores a default-branch evaluation with its tree's listing:
// the report aggregates it, and later changes of rules re-evaluate from it.
func (e *Evaluator) saveDefaultBranch(ctx context.Context, t target, pushedAt time.Time, repo policies.Repository, snap policies.Snapshot, j judgement) error {
	ev := j.Evaluation
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
	return e.Store.SaveRepoState(ctx, store.RepoState{
		RepoID: t.repoID, InstallationID: t.instID, Owner: repo.Owner, Name: repo.Name, DefaultBranch: repo.DefaultBranch,
		PushedAt: pushedAt, TreeSHA: tree, PolicyDigest: j.PolicyDigest, ConfigDigest: j.ConfigDigest,
		Evaluation: ev, EvaluatedAt: e.now().UTC(), Listing: entries, Facts: &repo,
	})
}
