package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/goldenpath/goldenpath/policies"
)

// ErrCorrupt means a stored value does not decode: whoever wrote it can write it
// again.
var ErrCorrupt = errors.New("corrupt stored value")

// ErrCommentPending means another worker claimed the pull request's sticky comment and
// is creating it right now: retry shortly.
var ErrCommentPending = errors.New("sticky comment is being created by another worker")

// querier runs product SQL on a pool or inside a transaction. Both backends implement
// it, so every product query below is written once.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	queryRow(ctx context.Context, query string, args ...any) row
	// eachRow calls fn for every row of a query's result.
	eachRow(ctx context.Context, query string, args []any, fn func(row) error) error
	// inTx runs fn in a transaction, joining the current one when there is one.
	inTx(ctx context.Context, fn func(querier) error) error
}

type row interface{ Scan(dest ...any) error }

// queries are the product queries, shared by Store (outside transactions) and Tx.
type queries struct {
	q   querier
	now func() time.Time
}

// scanOptional scans a row that may be missing; found is false when it is.
func scanOptional(r row, dest ...any) (found bool, err error) {
	err = r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func millis(t time.Time) int64          { return t.UnixMilli() }
func fromMillis(ms int64) time.Time     { return time.UnixMilli(ms).UTC() }
func repoKey(owner, repo string) string { return strings.ToLower(owner + "/" + repo) }

// nonNil keeps a nil slice from becoming NULL in PostgreSQL's NOT NULL byte columns.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// RecordDelivery remembers a webhook delivery. fresh is false when it was recorded
// before: GitHub redelivered it and its work is already queued.
func (s queries) RecordDelivery(ctx context.Context, deliveryID, event string) (fresh bool, err error) {
	if deliveryID == "" {
		return false, errors.New("record delivery: empty delivery id")
	}
	n, err := s.q.exec(ctx, `INSERT INTO webhook_deliveries (delivery_id, event, received_at) VALUES ($1, $2, $3)
		ON CONFLICT (delivery_id) DO NOTHING`, deliveryID, event, millis(s.now()))
	if err != nil {
		return false, fmt.Errorf("record delivery %s: %w", deliveryID, err)
	}
	return n == 1, nil
}

// PruneDeliveries forgets deliveries received before olderThan and says how many.
func (s queries) PruneDeliveries(ctx context.Context, olderThan time.Time) (int64, error) {
	n, err := s.q.exec(ctx, `DELETE FROM webhook_deliveries WHERE received_at < $1`, millis(olderThan))
	if err != nil {
		return 0, fmt.Errorf("prune deliveries: %w", err)
	}
	return n, nil
}

// SetPullHead records the head SHA of a pull request.
func (s queries) SetPullHead(ctx context.Context, repoID int64, number int, headSHA string) error {
	_, err := s.q.exec(ctx, `INSERT INTO pull_heads (repo_id, number, head_sha, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (repo_id, number) DO UPDATE SET head_sha = excluded.head_sha, updated_at = excluded.updated_at`,
		repoID, number, headSHA, millis(s.now()))
	if err != nil {
		return fmt.Errorf("set head of pull request %d/#%d: %w", repoID, number, err)
	}
	return nil
}

// PullHead is the last recorded head SHA of a pull request, "" when unknown.
func (s queries) PullHead(ctx context.Context, repoID int64, number int) (string, error) {
	var sha string
	if _, err := scanOptional(s.q.queryRow(ctx, `SELECT head_sha FROM pull_heads WHERE repo_id = $1 AND number = $2`,
		repoID, number), &sha); err != nil {
		return "", fmt.Errorf("head of pull request %d/#%d: %w", repoID, number, err)
	}
	return sha, nil
}

// CheckRunID is the check run created for (repo, head, name), 0 when none: a resumed
// job completes that run instead of creating a second.
func (s queries) CheckRunID(ctx context.Context, repoID int64, headSHA, name string) (int64, error) {
	var id int64
	if _, err := scanOptional(s.q.queryRow(ctx, `SELECT check_run_id FROM check_runs
		WHERE repo_id = $1 AND head_sha = $2 AND name = $3`, repoID, headSHA, name), &id); err != nil {
		return 0, fmt.Errorf("check run %q of %d@%s: %w", name, repoID, headSHA, err)
	}
	return id, nil
}

// SaveCheckRunID records the check run created for (repo, head, name).
func (s queries) SaveCheckRunID(ctx context.Context, repoID int64, headSHA, name string, id int64) error {
	_, err := s.q.exec(ctx, `INSERT INTO check_runs (repo_id, head_sha, name, check_run_id, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (repo_id, head_sha, name) DO UPDATE SET check_run_id = excluded.check_run_id`,
		repoID, headSHA, name, id, millis(s.now()))
	if err != nil {
		return fmt.Errorf("save check run %q of %d@%s: %w", name, repoID, headSHA, err)
	}
	return nil
}

// ClaimComment decides who writes a pull request's sticky comment:
//   - it exists: (its id, false) — edit it;
//   - nobody claimed it, or a claim is older than staleAfter (its owner died):
//     (0, true) — create it, then SaveComment;
//   - another claim is younger than staleAfter: ErrCommentPending.
//
// Every step is one conditional statement, so of concurrent callers (goroutines or
// replicas) exactly one gets mine=true.
func (s queries) ClaimComment(ctx context.Context, repoID int64, number int, staleAfter time.Duration) (commentID int64, mine bool, err error) {
	now := s.now()
	n, err := s.q.exec(ctx, `INSERT INTO pull_comments (repo_id, number, comment_id, claimed_at) VALUES ($1, $2, 0, $3)
		ON CONFLICT (repo_id, number) DO NOTHING`, repoID, number, millis(now))
	if err == nil && n == 0 {
		n, err = s.q.exec(ctx, `UPDATE pull_comments SET claimed_at = $3
			WHERE repo_id = $1 AND number = $2 AND comment_id = 0 AND claimed_at < $4`,
			repoID, number, millis(now), millis(now.Add(-staleAfter)))
	}
	if err != nil {
		return 0, false, fmt.Errorf("claim comment on %d/#%d: %w", repoID, number, err)
	}
	if n == 1 {
		return 0, true, nil
	}
	found, err := scanOptional(s.q.queryRow(ctx, `SELECT comment_id FROM pull_comments WHERE repo_id = $1 AND number = $2`,
		repoID, number), &commentID)
	if err != nil {
		return 0, false, fmt.Errorf("claim comment on %d/#%d: %w", repoID, number, err)
	}
	if !found || commentID == 0 {
		return 0, false, ErrCommentPending
	}
	return commentID, false, nil
}

// SaveComment records the sticky comment's id once created (or re-created).
func (s queries) SaveComment(ctx context.Context, repoID int64, number int, commentID int64) error {
	_, err := s.q.exec(ctx, `INSERT INTO pull_comments (repo_id, number, comment_id, claimed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (repo_id, number) DO UPDATE SET comment_id = excluded.comment_id`,
		repoID, number, commentID, millis(s.now()))
	if err != nil {
		return fmt.Errorf("save comment of %d/#%d: %w", repoID, number, err)
	}
	return nil
}

// Blob is a cached git blob of an installation's repositories.
func (s queries) Blob(ctx context.Context, installationID int64, sha string) ([]byte, bool, error) {
	var data []byte
	found, err := scanOptional(s.q.queryRow(ctx, `SELECT data FROM blobs WHERE installation_id = $1 AND sha = $2`,
		installationID, sha), &data)
	if err != nil {
		return nil, false, fmt.Errorf("cached blob %s: %w", sha, err)
	}
	return data, found, nil
}

// SaveBlobs caches blobs by SHA, in one transaction. Blobs are content-addressed, so
// one already cached is left as it is. Caching is per installation so that one
// installation never reads another's private content.
func (s queries) SaveBlobs(ctx context.Context, installationID int64, blobs map[string][]byte) error {
	err := s.q.inTx(ctx, func(q querier) error {
		for sha, data := range blobs {
			if _, err := q.exec(ctx, `INSERT INTO blobs (installation_id, sha, data, created_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (installation_id, sha) DO NOTHING`, installationID, sha, nonNil(data), millis(s.now())); err != nil {
				return fmt.Errorf("blob %s: %w", sha, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cache blobs: %w", err)
	}
	return nil
}

// CachedFile is a file (e.g. a config file) as cached for a commit. found is false
// when nothing is cached; exists is false when the file is known to be absent there.
func (s queries) CachedFile(ctx context.Context, installationID int64, repo, commitSHA, path string) (data []byte, found bool, exists bool, err error) {
	var present int
	found, err = scanOptional(s.q.queryRow(ctx, `SELECT present, data FROM cached_files
		WHERE installation_id = $1 AND repo = $2 AND commit_sha = $3 AND path = $4`,
		installationID, repo, commitSHA, path), &present, &data)
	if err != nil {
		return nil, false, false, fmt.Errorf("cached file %s@%s:%s: %w", repo, commitSHA, path, err)
	}
	if !found || present == 0 {
		return nil, found, false, nil
	}
	return data, true, true, nil
}

// SaveCachedFile caches a file's content at a commit, or (exists=false) its absence.
func (s queries) SaveCachedFile(ctx context.Context, installationID int64, repo, commitSHA, path string, data []byte, exists bool) error {
	present := 0
	if exists {
		present = 1
	} else {
		data = nil
	}
	_, err := s.q.exec(ctx, `INSERT INTO cached_files (installation_id, repo, commit_sha, path, present, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (installation_id, repo, commit_sha, path) DO UPDATE SET present = excluded.present, data = excluded.data`,
		installationID, repo, commitSHA, path, present, nonNil(data), millis(s.now()))
	if err != nil {
		return fmt.Errorf("cache file %s@%s:%s: %w", repo, commitSHA, path, err)
	}
	return nil
}

// SetBranchHead records the newest known head SHA of a repository's branch.
func (s queries) SetBranchHead(ctx context.Context, repoID int64, branch, sha string) error {
	_, err := s.q.exec(ctx, `INSERT INTO branch_heads (repo_id, branch, head_sha, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (repo_id, branch) DO UPDATE SET head_sha = excluded.head_sha, updated_at = excluded.updated_at`,
		repoID, branch, sha, millis(s.now()))
	if err != nil {
		return fmt.Errorf("set head of %d:%s: %w", repoID, branch, err)
	}
	return nil
}

// BranchHead is the recorded head SHA of a repository's branch, "" when unknown.
func (s queries) BranchHead(ctx context.Context, repoID int64, branch string) (string, error) {
	var sha string
	if _, err := scanOptional(s.q.queryRow(ctx, `SELECT head_sha FROM branch_heads WHERE repo_id = $1 AND branch = $2`,
		repoID, branch), &sha); err != nil {
		return "", fmt.Errorf("head of %d:%s: %w", repoID, branch, err)
	}
	return sha, nil
}

// EvaluationRecord is one stored evaluation of a repository at a commit.
type EvaluationRecord struct {
	InstallationID, RepoID                                int64
	Owner, Repo, HeadSHA, Ref, PolicyDigest, ConfigDigest string
	Evaluation                                            *policies.Evaluation
	CreatedAt                                             time.Time
}

// SaveEvaluation stores an evaluation, replacing the one with the same repository,
// head, policy digest and config digest. A zero CreatedAt means now.
func (s queries) SaveEvaluation(ctx context.Context, e EvaluationRecord) error {
	if e.RepoID == 0 || e.HeadSHA == "" || e.Owner == "" || e.Repo == "" || e.Evaluation == nil {
		return fmt.Errorf("save evaluation of %s/%s@%s: repository id, owner, name, head SHA and evaluation are required", e.Owner, e.Repo, e.HeadSHA)
	}
	result, err := json.Marshal(e.Evaluation)
	if err != nil {
		return fmt.Errorf("save evaluation of %s/%s@%s: %w", e.Owner, e.Repo, e.HeadSHA, err)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now()
	}
	// passed and applicable repeat the evaluation's summary and nothing reads
	// them; they stay because replicas of earlier versions still write them
	// during a rolling upgrade.
	_, err = s.q.exec(ctx, `INSERT INTO evaluations (repo_id, head_sha, policy_digest, config_digest,
			installation_id, owner, repo, repo_key, ref, passed, applicable, result, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (repo_id, head_sha, policy_digest, config_digest) DO UPDATE SET
			installation_id = excluded.installation_id, owner = excluded.owner, repo = excluded.repo,
			repo_key = excluded.repo_key, ref = excluded.ref, passed = excluded.passed,
			applicable = excluded.applicable, result = excluded.result, created_at = excluded.created_at`,
		e.RepoID, e.HeadSHA, e.PolicyDigest, e.ConfigDigest,
		e.InstallationID, e.Owner, e.Repo, repoKey(e.Owner, e.Repo), e.Ref, e.Evaluation.Summary.Passed, e.Evaluation.Summary.Applicable, result, millis(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("save evaluation of %s/%s@%s: %w", e.Owner, e.Repo, e.HeadSHA, err)
	}
	return nil
}

const evaluationColumns = `installation_id, repo_id, owner, repo, head_sha, ref, policy_digest, config_digest,
	result, created_at`

// Evaluation is the newest evaluation of a repository at headSHA, nil when none.
func (s queries) Evaluation(ctx context.Context, repoID int64, headSHA string) (*EvaluationRecord, error) {
	e, err := scanEvaluation(s.q.queryRow(ctx, `SELECT `+evaluationColumns+` FROM evaluations
		WHERE repo_id = $1 AND head_sha = $2 ORDER BY created_at DESC LIMIT 1`, repoID, headSHA))
	if err != nil {
		return nil, fmt.Errorf("evaluation of %d@%s: %w", repoID, headSHA, err)
	}
	return e, nil
}

// LatestEvaluation is the newest evaluation of owner/repo (case-insensitive), nil when none.
func (s queries) LatestEvaluation(ctx context.Context, owner, repo string) (*EvaluationRecord, error) {
	e, err := scanEvaluation(s.q.queryRow(ctx, `SELECT `+evaluationColumns+` FROM evaluations
		WHERE repo_key = $1 ORDER BY created_at DESC LIMIT 1`, repoKey(owner, repo)))
	if err != nil {
		return nil, fmt.Errorf("latest evaluation of %s/%s: %w", owner, repo, err)
	}
	return e, nil
}

func scanEvaluation(r row) (*EvaluationRecord, error) {
	var (
		e       EvaluationRecord
		result  []byte
		created int64
	)
	found, err := scanOptional(r, &e.InstallationID, &e.RepoID, &e.Owner, &e.Repo, &e.HeadSHA, &e.Ref,
		&e.PolicyDigest, &e.ConfigDigest, &result, &created)
	if !found {
		return nil, err
	}
	e.CreatedAt = fromMillis(created)
	if e.Evaluation, err = decodeEvaluation(result); err != nil {
		return nil, err
	}
	return &e, nil
}
