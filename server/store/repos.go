package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/goldenpath/goldenpath/policies"
)

// RepoState is what the store keeps of one repository of an organisation: what the
// last sweep saw and its latest default-branch evaluation.
type RepoState struct {
	RepoID         int64
	InstallationID int64
	Owner, Name    string
	DefaultBranch  string
	// PushedAt is the listing's pushed_at when the repository was last evaluated:
	// a later one means something was pushed since.
	PushedAt     time.Time
	TreeSHA      string
	PolicyDigest string
	ConfigDigest string
	// Evaluation is the latest default-branch evaluation, nil when none (or not
	// read: RepoStates never reads it, RepoState and StatesWithoutOutcome do).
	// SaveRepoState stores it whole, and apart its outcome.
	Evaluation *policies.Evaluation
	// Outcome is what the report reads of the evaluation (EncodeOutcome), to
	// decode with an OutcomeDecoder; empty for states saved before outcomes were
	// kept. SaveRepoState derives it from Evaluation and ignores this field.
	Outcome     []byte
	EvaluatedAt time.Time
	// Listing is the tree listing the evaluation saw, sorted by path (nil keeps
	// none), and Facts the other facts about the repository it was given (nil keeps
	// none). Only SaveRepoState reads them: read them back with RepoListing and
	// RepoFacts.
	Listing []policies.Entry
	Facts   *policies.Repository
}

const repoColumns = `repo_id, installation_id, owner, name, default_branch, pushed_at, tree_sha,
	policy_digest, config_digest, outcome, evaluated_at`

// SaveRepoState stores a repository's state, replacing the previous one.
func (s queries) SaveRepoState(ctx context.Context, r RepoState) error {
	evaluation, outcome, err := encodeEvaluation(r.Evaluation)
	if err != nil {
		return fmt.Errorf("save state of %s/%s: %w", r.Owner, r.Name, err)
	}
	listing, facts, err := encodeDetails(r)
	if err != nil {
		return fmt.Errorf("save state of %s/%s: %w", r.Owner, r.Name, err)
	}
	err = s.q.inTx(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO repositories (`+repoColumns+`, owner_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (repo_id) DO UPDATE SET installation_id = excluded.installation_id, owner = excluded.owner,
				name = excluded.name, default_branch = excluded.default_branch, pushed_at = excluded.pushed_at,
				tree_sha = excluded.tree_sha, policy_digest = excluded.policy_digest, config_digest = excluded.config_digest,
				outcome = excluded.outcome, evaluated_at = excluded.evaluated_at, owner_key = excluded.owner_key`,
			r.RepoID, r.InstallationID, r.Owner, r.Name, r.DefaultBranch, millis(r.PushedAt), r.TreeSHA,
			r.PolicyDigest, r.ConfigDigest, outcome, millis(r.EvaluatedAt), strings.ToLower(r.Owner))
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `INSERT INTO repository_details (repo_id, evaluation, listing, facts) VALUES ($1, $2, $3, $4)
			ON CONFLICT (repo_id) DO UPDATE SET evaluation = excluded.evaluation, listing = excluded.listing, facts = excluded.facts`,
			r.RepoID, evaluation, listing, facts)
		return err
	})
	if err != nil {
		return fmt.Errorf("save state of %s/%s: %w", r.Owner, r.Name, err)
	}
	return nil
}

// repoStateSelect selects states as r, with the full evaluation joined in when asked
// (it lives apart, see migration 3); scanRepoState reads a row of it.
func repoStateSelect(withEvaluation bool) string {
	cols := `SELECT r.` + strings.ReplaceAll(repoColumns, ", ", ", r.")
	if !withEvaluation {
		return cols + ` FROM repositories r`
	}
	return cols + `, COALESCE(d.evaluation, '') FROM repositories r
		LEFT JOIN repository_details d ON d.repo_id = r.repo_id`
}

func scanRepoState(r row, withEvaluation bool) (RepoState, error) {
	var st RepoState
	var pushed, evaluated int64
	dest := []any{&st.RepoID, &st.InstallationID, &st.Owner, &st.Name, &st.DefaultBranch, &pushed, &st.TreeSHA,
		&st.PolicyDigest, &st.ConfigDigest, &st.Outcome, &evaluated}
	// Allocated only when read: a report scans 100,000 states without one.
	var evaluation *[]byte
	if withEvaluation {
		evaluation = new([]byte)
		dest = append(dest, evaluation)
	}
	if err := r.Scan(dest...); err != nil {
		return st, err
	}
	st.PushedAt, st.EvaluatedAt = fromMillis(pushed), fromMillis(evaluated)
	if evaluation != nil {
		var err error
		if st.Evaluation, err = decodeEvaluation(*evaluation); err != nil {
			return st, fmt.Errorf("%s: %w", st.Name, err)
		}
	}
	return st, nil
}

// RepoStates streams the organisation's repositories, with their outcomes and
// without their full evaluations (sweeps and reports need none).
func (s queries) RepoStates(ctx context.Context, owner string, fn func(RepoState) error) error {
	return s.eachRepoState(ctx, false, ` WHERE r.owner_key = $1 ORDER BY r.name`, owner, fn)
}

// StatesWithoutOutcome streams the organisation's repositories evaluated before
// outcomes were kept, with their full evaluations (SaveOutcome fills theirs in).
func (s queries) StatesWithoutOutcome(ctx context.Context, owner string, fn func(RepoState) error) error {
	return s.eachRepoState(ctx, true, ` WHERE r.owner_key = $1 AND length(r.outcome) = 0
		AND length(d.evaluation) > 0 ORDER BY r.name`, owner, fn)
}

// eachRepoState streams the states of owner that the where clause selects.
func (s queries) eachRepoState(ctx context.Context, withEvaluation bool, where, owner string, fn func(RepoState) error) error {
	err := s.q.eachRow(ctx, repoStateSelect(withEvaluation)+where, []any{strings.ToLower(owner)}, func(r row) error {
		st, err := scanRepoState(r, withEvaluation)
		if err != nil {
			return err
		}
		return fn(st)
	})
	if err != nil {
		return fmt.Errorf("repositories of %s: %w", owner, err)
	}
	return nil
}

// RepoState returns one repository's state with its full evaluation, found by
// owner and name (case-insensitively), or nil.
func (s queries) RepoState(ctx context.Context, owner, name string) (*RepoState, error) {
	var found *RepoState
	err := s.q.eachRow(ctx, repoStateSelect(true)+` WHERE r.owner_key = $1 AND lower(r.name) = $2`,
		[]any{strings.ToLower(owner), strings.ToLower(name)}, func(r row) error {
			st, err := scanRepoState(r, true)
			found = &st
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("state of %s/%s: %w", owner, name, err)
	}
	return found, nil
}

// OwnerInstallation is the installation an organisation's repositories were
// stored under, 0 when none is stored.
func (s queries) OwnerInstallation(ctx context.Context, owner string) (int64, error) {
	var id int64
	if _, err := scanOptional(s.q.queryRow(ctx, `SELECT installation_id FROM repositories WHERE owner_key = $1 LIMIT 1`,
		strings.ToLower(owner)), &id); err != nil {
		return 0, fmt.Errorf("installation of %s: %w", owner, err)
	}
	return id, nil
}

// SaveOutcome fills in the outcome of a state stored before outcomes were kept,
// from its evaluation.
func (s queries) SaveOutcome(ctx context.Context, repoID int64, ev *policies.Evaluation) error {
	outcome, err := EncodeOutcome(ev)
	if err != nil {
		return fmt.Errorf("save outcome of repository %d: %w", repoID, err)
	}
	if _, err := s.q.exec(ctx, `UPDATE repositories SET outcome = $2 WHERE repo_id = $1`, repoID, outcome); err != nil {
		return fmt.Errorf("save outcome of repository %d: %w", repoID, err)
	}
	return nil
}

// encodeEvaluation encodes an evaluation whole (JSON, what the API serves) and as
// its outcome; both are empty when there is none.
func encodeEvaluation(ev *policies.Evaluation) (whole, outcome []byte, err error) {
	if ev == nil {
		return []byte{}, []byte{}, nil
	}
	if whole, err = json.Marshal(ev); err != nil {
		return nil, nil, fmt.Errorf("encode evaluation: %w", err)
	}
	if outcome, err = EncodeOutcome(ev); err != nil {
		return nil, nil, err
	}
	return whole, outcome, nil
}

// decodeEvaluation reads an evaluation stored whole, nil when none is.
func decodeEvaluation(data []byte) (*policies.Evaluation, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var ev policies.Evaluation
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("%w: evaluation: %v", ErrCorrupt, err)
	}
	return &ev, nil
}

// encodeDetails encodes a state's listing and facts, each empty when not given.
func encodeDetails(r RepoState) (listing, facts []byte, err error) {
	listing, facts = []byte{}, []byte{}
	if r.Listing != nil {
		if listing, err = encodeListing(r.Listing); err != nil {
			return nil, nil, err
		}
	}
	if r.Facts != nil {
		if facts, err = json.Marshal(r.Facts); err != nil {
			return nil, nil, fmt.Errorf("encode facts: %w", err)
		}
	}
	return listing, facts, nil
}

// decodeFacts reads stored facts. They only complete what a webhook carries, so
// unreadable ones read as none rather than fail the job.
func decodeFacts(data []byte) policies.Repository {
	var repo policies.Repository
	if len(data) == 0 || json.Unmarshal(data, &repo) != nil {
		return policies.Repository{}
	}
	return repo
}

// RepoListing returns the stored listing of a repository's evaluated tree, nil
// when none is stored, and the facts evaluated with it (none when none are).
// A listing that does not decode is an error: listing the tree again repairs it.
func (s queries) RepoListing(ctx context.Context, repoID int64) ([]policies.Entry, policies.Repository, error) {
	var raw, facts []byte
	if _, err := scanOptional(s.q.queryRow(ctx, `SELECT listing, facts FROM repository_details WHERE repo_id = $1`, repoID),
		&raw, &facts); err != nil {
		return nil, policies.Repository{}, fmt.Errorf("listing of repository %d: %w", repoID, err)
	}
	if len(raw) == 0 {
		return nil, decodeFacts(facts), nil
	}
	listing, err := decodeListing(raw)
	if err != nil {
		return nil, policies.Repository{}, fmt.Errorf("listing of repository %d: %w", repoID, err)
	}
	return listing, decodeFacts(facts), nil
}

// RepoFacts returns the facts a repository's latest default-branch evaluation was
// given, none when none are stored.
func (s queries) RepoFacts(ctx context.Context, repoID int64) (policies.Repository, error) {
	var facts []byte
	if _, err := scanOptional(s.q.queryRow(ctx, `SELECT facts FROM repository_details WHERE repo_id = $1`, repoID), &facts); err != nil {
		return policies.Repository{}, fmt.Errorf("facts of repository %d: %w", repoID, err)
	}
	return decodeFacts(facts), nil
}

// DeleteRepo forgets a repository (deleted, archived, transferred away, or removed
// from the installation).
func (s queries) DeleteRepo(ctx context.Context, repoID int64) error {
	err := s.q.inTx(ctx, func(q querier) error {
		for _, table := range []string{"repository_details", "repositories"} {
			if _, err := q.exec(ctx, `DELETE FROM `+table+` WHERE repo_id = $1`, repoID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget repository %d: %w", repoID, err)
	}
	return nil
}

// RenameRepo keeps a repository's state under its new owner and name.
func (s queries) RenameRepo(ctx context.Context, repoID int64, owner, name string) error {
	_, err := s.q.exec(ctx, `UPDATE repositories SET owner = $2, name = $3, owner_key = $4 WHERE repo_id = $1`,
		repoID, owner, name, strings.ToLower(owner))
	if err != nil {
		return fmt.Errorf("rename repository %d to %s/%s: %w", repoID, owner, name, err)
	}
	return nil
}

// SweepRecord is one sweep of an organisation. FinishedAt is zero while it runs.
type SweepRecord struct {
	Owner                              string
	StartedAt, FinishedAt              time.Time
	Repositories, Evaluated, Unchanged int
	// Waiting repositories wait for the rate limit until WaitingUntil.
	Waiting      int
	WaitingUntil time.Time
	Unjudged     []byte // JSON of the repositories it could not judge, with the reason
	Summary      []byte // JSON of the report's summary, for trends
}

// SaveSweep records a sweep (started, waiting or finished), keyed by owner and start time.
func (s queries) SaveSweep(ctx context.Context, r SweepRecord) error {
	var finished, until int64
	if !r.FinishedAt.IsZero() {
		finished = millis(r.FinishedAt)
	}
	if !r.WaitingUntil.IsZero() {
		until = millis(r.WaitingUntil)
	}
	_, err := s.q.exec(ctx, `INSERT INTO sweeps (owner_key, started_at, finished_at, repositories, evaluated, unchanged, summary,
			waiting, waiting_until, unjudged)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (owner_key, started_at) DO UPDATE SET finished_at = excluded.finished_at,
			repositories = excluded.repositories, evaluated = excluded.evaluated, unchanged = excluded.unchanged,
			summary = excluded.summary, waiting = excluded.waiting, waiting_until = excluded.waiting_until,
			unjudged = excluded.unjudged`,
		strings.ToLower(r.Owner), millis(r.StartedAt), finished, r.Repositories, r.Evaluated, r.Unchanged, nonNil(r.Summary),
		r.Waiting, until, nonNil(r.Unjudged))
	if err != nil {
		return fmt.Errorf("record sweep of %s: %w", r.Owner, err)
	}
	return nil
}

// Sweeps returns an organisation's latest sweeps, newest first.
func (s queries) Sweeps(ctx context.Context, owner string, limit int) ([]SweepRecord, error) {
	var out []SweepRecord
	err := s.q.eachRow(ctx, `SELECT started_at, finished_at, repositories, evaluated, unchanged, summary, waiting, waiting_until, unjudged
		FROM sweeps WHERE owner_key = $1 ORDER BY started_at DESC LIMIT $2`,
		[]any{strings.ToLower(owner), limit}, func(r row) error {
			rec := SweepRecord{Owner: owner}
			var started, finished, until int64
			if err := r.Scan(&started, &finished, &rec.Repositories, &rec.Evaluated, &rec.Unchanged, &rec.Summary,
				&rec.Waiting, &until, &rec.Unjudged); err != nil {
				return err
			}
			rec.StartedAt = fromMillis(started)
			if finished != 0 {
				rec.FinishedAt = fromMillis(finished)
			}
			if until != 0 {
				rec.WaitingUntil = fromMillis(until)
			}
			out = append(out, rec)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sweeps of %s: %w", owner, err)
	}
	return out, nil
}

// SweepStatus is where an organisation's sweeps stand, for the metrics.
type SweepStatus struct {
	Owner         string // lower case
	LastCompleted time.Time
	// Pending counts the repositories that its unfinished sweep, started since
	// the time SweepStatuses was given, waits to evaluate.
	Pending int
}

// SweepStatuses returns every organisation's last completed sweep, and what its
// unfinished sweep started after since still waits for.
func (s queries) SweepStatuses(ctx context.Context, since time.Time) ([]SweepStatus, error) {
	var out []SweepStatus
	err := s.q.eachRow(ctx, `SELECT owner_key, max(finished_at),
			coalesce(sum(CASE WHEN finished_at = 0 AND started_at >= $1 THEN waiting ELSE 0 END), 0)
		FROM sweeps GROUP BY owner_key ORDER BY owner_key`, []any{millis(since)}, func(r row) error {
		var st SweepStatus
		var finished int64
		if err := r.Scan(&st.Owner, &finished, &st.Pending); err != nil {
			return err
		}
		if finished != 0 {
			st.LastCompleted = fromMillis(finished)
		}
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep statuses: %w", err)
	}
	return out, nil
}

// ReportIssue is where an organisation's report lives: Number 0 when none is
// known; Closed when a person closed it (the app edits it without reopening).
type ReportIssue struct {
	Repo   string
	Number int
	Closed bool
}

// ReportIssue returns where an organisation's report lives.
func (s queries) ReportIssue(ctx context.Context, owner string) (ReportIssue, error) {
	var is ReportIssue
	var closed int
	_, err := scanOptional(s.q.queryRow(ctx, `SELECT repo, number, closed FROM report_issues WHERE owner_key = $1`,
		strings.ToLower(owner)), &is.Repo, &is.Number, &closed)
	if err != nil {
		return ReportIssue{}, fmt.Errorf("report issue of %s: %w", owner, err)
	}
	is.Closed = closed != 0
	return is, nil
}

// SaveReportIssue remembers where an organisation's report lives.
func (s queries) SaveReportIssue(ctx context.Context, owner string, is ReportIssue) error {
	closed := 0
	if is.Closed {
		closed = 1
	}
	_, err := s.q.exec(ctx, `INSERT INTO report_issues (owner_key, repo, number, updated_at, closed) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (owner_key) DO UPDATE SET repo = excluded.repo, number = excluded.number, updated_at = excluded.updated_at,
			closed = excluded.closed`,
		strings.ToLower(owner), is.Repo, is.Number, millis(s.now()), closed)
	if err != nil {
		return fmt.Errorf("save report issue of %s: %w", owner, err)
	}
	return nil
}

// TouchRepoState records a newer pushed_at for a repository whose tree did not
// change, keeping its evaluation.
func (s queries) TouchRepoState(ctx context.Context, repoID int64, pushedAt time.Time) error {
	if _, err := s.q.exec(ctx, `UPDATE repositories SET pushed_at = $2 WHERE repo_id = $1`, repoID, millis(pushedAt)); err != nil {
		return fmt.Errorf("touch repository %d: %w", repoID, err)
	}
	return nil
}

// ForgetOwner drops everything kept of an organisation's repositories and report
// (the app was uninstalled).
func (s queries) ForgetOwner(ctx context.Context, owner string) error {
	return s.q.inTx(ctx, func(q querier) error {
		_, err := q.exec(ctx, `DELETE FROM repository_details WHERE repo_id IN
			(SELECT repo_id FROM repositories WHERE owner_key = $1)`, strings.ToLower(owner))
		if err != nil {
			return fmt.Errorf("forget %s: %w", owner, err)
		}
		for _, table := range []string{"repositories", "report_issues", "fix_pulls", "fix_runs"} {
			if _, err := q.exec(ctx, `DELETE FROM `+table+` WHERE owner_key = $1`, strings.ToLower(owner)); err != nil {
				return fmt.Errorf("forget %s: %w", owner, err)
			}
		}
		return nil
	})
}
