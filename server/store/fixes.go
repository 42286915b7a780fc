package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// FixPull is what the app remembers of a repository's fix pull request.
type FixPull struct {
	RepoID int64
	Owner  string
	// Number is the app's latest fix pull request; 0 when it never opened one.
	Number int
	// Head is the last commit the app pushed to the fix branch: any other head is
	// a person's commit, which the app never pushes over.
	Head string
	// Base is the default-branch commit Head was built on.
	Base string
	// Files are what the pull request adds, path → blob SHA, as last pushed.
	Files map[string]string
	// ClosedByApp says the app closed Number itself (nothing was left to fix), so
	// its being closed is no refusal.
	ClosedByApp bool
	// KnownOpen says the app left Number open with Head and Body, and no
	// webhook has told of a change since, so GitHub need not be asked.
	KnownOpen bool
	// Body is the description the app last gave Number.
	Body string
	// Refused are the paths people refused by closing a fix pull request
	// unmerged: they are never proposed again.
	Refused []string
}

// FixPull returns what is known of a repository's fix pull request; the zero
// value (with RepoID set) when nothing is.
func (s queries) FixPull(ctx context.Context, repoID int64) (FixPull, error) {
	fp := FixPull{RepoID: repoID}
	var files, refused []byte
	var closed, open int
	found, err := scanOptional(s.q.queryRow(ctx, `SELECT owner_key, number, head_sha, base_sha, files, closed_by_app, refused, known_open, body FROM fix_pulls WHERE repo_id = $1`,
		repoID), &fp.Owner, &fp.Number, &fp.Head, &fp.Base, &files, &closed, &refused, &open, &fp.Body)
	if err != nil || !found {
		if err != nil {
			err = fmt.Errorf("fix pull request of repository %d: %w", repoID, err)
		}
		return fp, err
	}
	fp.ClosedByApp, fp.KnownOpen = closed != 0, open != 0
	if err := json.Unmarshal(files, &fp.Files); err != nil {
		return fp, fmt.Errorf("fix pull request of repository %d: files: %w", repoID, err)
	}
	if err := json.Unmarshal(refused, &fp.Refused); err != nil {
		return fp, fmt.Errorf("fix pull request of repository %d: refused files: %w", repoID, err)
	}
	return fp, nil
}

// SaveFixPull records a repository's fix pull request.
func (s queries) SaveFixPull(ctx context.Context, fp FixPull) error {
	files, err := json.Marshal(fp.Files)
	if err == nil {
		var refused []byte
		if refused, err = json.Marshal(fp.Refused); err == nil {
			_, err = s.q.exec(ctx, `INSERT INTO fix_pulls (repo_id, owner_key, number, head_sha, base_sha, files, closed_by_app, refused, known_open, body, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
				ON CONFLICT (repo_id) DO UPDATE SET owner_key = excluded.owner_key, number = excluded.number, head_sha = excluded.head_sha,
					base_sha = excluded.base_sha, files = excluded.files, closed_by_app = excluded.closed_by_app, refused = excluded.refused,
					known_open = excluded.known_open, body = excluded.body, updated_at = excluded.updated_at`,
				fp.RepoID, strings.ToLower(fp.Owner), fp.Number, fp.Head, fp.Base, files, boolInt(fp.ClosedByApp), refused, boolInt(fp.KnownOpen), fp.Body, millis(s.now()))
		}
	}
	if err != nil {
		return fmt.Errorf("save fix pull request of repository %d: %w", fp.RepoID, err)
	}
	return nil
}

// FixPullSeen records what a webhook told of a repository's fix pull request
// number: unless it is open with the head the app last pushed, the app no
// longer knows it open and reads it before the next change.
func (s queries) FixPullSeen(ctx context.Context, repoID int64, number int, open bool, head string) error {
	_, err := s.q.exec(ctx, `UPDATE fix_pulls SET known_open = 0 WHERE repo_id = $1 AND number = $2 AND known_open <> 0 AND ($3 = 0 OR head_sha <> $4)`,
		repoID, number, boolInt(open), head)
	if err != nil {
		return fmt.Errorf("record a change of fix pull request #%d of repository %d: %w", number, repoID, err)
	}
	return nil
}

// boolInt is a boolean as the schema's INTEGER columns hold it.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FixRun is the progress of a team's request for fix pull requests.
type FixRun struct {
	Team      string
	StartedAt time.Time
	// Total repositories asked for; Done of them are finished, Failed of those
	// could not be fixed (a missing permission, a person's commit, ...).
	Total, Done, Failed int
	// Problem is the last failure's reason ("" when none failed).
	Problem string
}

// StartFixRun records a new request for a team's fix pull requests, replacing
// the team's previous one.
func (s queries) StartFixRun(ctx context.Context, owner, team string, total int) error {
	_, err := s.q.exec(ctx, `INSERT INTO fix_runs (owner_key, team, started_at, total, done, failed, problem) VALUES ($1, $2, $3, $4, 0, 0, '')
		ON CONFLICT (owner_key, team) DO UPDATE SET started_at = excluded.started_at, total = excluded.total, done = 0, failed = 0, problem = ''`,
		strings.ToLower(owner), team, millis(s.now()), total)
	if err != nil {
		return fmt.Errorf("start fix pull requests of %s/%s: %w", owner, team, err)
	}
	return nil
}

// FixRunStep counts one repository of a team's request as done; problem says
// why it failed ("" when it did not).
func (s queries) FixRunStep(ctx context.Context, owner, team, problem string) error {
	var err error
	if problem == "" {
		_, err = s.q.exec(ctx, `UPDATE fix_runs SET done = done + 1 WHERE owner_key = $1 AND team = $2`, strings.ToLower(owner), team)
	} else {
		_, err = s.q.exec(ctx, `UPDATE fix_runs SET done = done + 1, failed = failed + 1, problem = $3 WHERE owner_key = $1 AND team = $2`,
			strings.ToLower(owner), team, problem)
	}
	if err != nil {
		return fmt.Errorf("count fix pull request of %s/%s: %w", owner, team, err)
	}
	return nil
}

// FixRuns lists an organisation's team requests for fix pull requests, by team.
func (s queries) FixRuns(ctx context.Context, owner string) ([]FixRun, error) {
	var out []FixRun
	err := s.q.eachRow(ctx, `SELECT team, started_at, total, done, failed, problem FROM fix_runs WHERE owner_key = $1 ORDER BY team`,
		[]any{strings.ToLower(owner)}, func(r row) error {
			var run FixRun
			var started int64
			if err := r.Scan(&run.Team, &started, &run.Total, &run.Done, &run.Failed, &run.Problem); err != nil {
				return err
			}
			run.StartedAt = fromMillis(started)
			out = append(out, run)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("fix pull request runs of %s: %w", owner, err)
	}
	return out, nil
}
