package store

import (
	"context"
	"fmt"
	"time"
)

// migration is one step of the product schema. Statements use PostgreSQL type names;
// backend.ddl adapts them. Released migrations never change: add a new one.
type migration struct {
	version    int
	name       string
	statements []string
}

// Times are stored as BIGINT unix milliseconds (UTC) in both databases: they compare
// and index the same way everywhere, with no driver-specific time handling.
var migrations = []migration{
	{1, "initial schema", []string{
		`CREATE TABLE webhook_deliveries (
			delivery_id TEXT PRIMARY KEY,
			event TEXT NOT NULL,
			received_at BIGINT NOT NULL)`,
		`CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at)`,

		`CREATE TABLE pull_heads (
			repo_id BIGINT NOT NULL,
			number INTEGER NOT NULL,
			head_sha TEXT NOT NULL,
			updated_at BIGINT NOT NULL,
			PRIMARY KEY (repo_id, number))`,

		`CREATE TABLE check_runs (
			repo_id BIGINT NOT NULL,
			head_sha TEXT NOT NULL,
			name TEXT NOT NULL,
			check_run_id BIGINT NOT NULL,
			created_at BIGINT NOT NULL,
			PRIMARY KEY (repo_id, head_sha, name))`,

		// comment_id 0 marks a claim: someone is creating the comment since claimed_at.
		`CREATE TABLE pull_comments (
			repo_id BIGINT NOT NULL,
			number INTEGER NOT NULL,
			comment_id BIGINT NOT NULL,
			claimed_at BIGINT NOT NULL,
			PRIMARY KEY (repo_id, number))`,

		`CREATE TABLE blobs (
			installation_id BIGINT NOT NULL,
			sha TEXT NOT NULL,
			data BYTEA NOT NULL,
			created_at BIGINT NOT NULL,
			PRIMARY KEY (installation_id, sha))`,

		// present 0 records that the file is absent at that commit.
		`CREATE TABLE cached_files (
			installation_id BIGINT NOT NULL,
			repo TEXT NOT NULL,
			commit_sha TEXT NOT NULL,
			path TEXT NOT NULL,
			present INTEGER NOT NULL,
			data BYTEA NOT NULL,
			created_at BIGINT NOT NULL,
			PRIMARY KEY (installation_id, repo, commit_sha, path))`,

		`CREATE TABLE branch_heads (
			repo_id BIGINT NOT NULL,
			branch TEXT NOT NULL,
			head_sha TEXT NOT NULL,
			updated_at BIGINT NOT NULL,
			PRIMARY KEY (repo_id, branch))`,

		// repo_key is lower("owner/repo"): GitHub names are case-insensitive.
		`CREATE TABLE evaluations (
			repo_id BIGINT NOT NULL,
			head_sha TEXT NOT NULL,
			policy_digest TEXT NOT NULL,
			config_digest TEXT NOT NULL,
			installation_id BIGINT NOT NULL,
			owner TEXT NOT NULL,
			repo TEXT NOT NULL,
			repo_key TEXT NOT NULL,
			ref TEXT NOT NULL,
			passed INTEGER NOT NULL,
			applicable INTEGER NOT NULL,
			result BYTEA NOT NULL,
			created_at BIGINT NOT NULL,
			PRIMARY KEY (repo_id, head_sha, policy_digest, config_digest))`,
		`CREATE INDEX evaluations_repo_key_created_at ON evaluations (repo_key, created_at)`,
	}},
	{2, "organisation sweeps and reports", []string{
		// One row per repository: what the last sweep saw in the listing and the
		// latest default-branch evaluation, so a report is one scan.
		`CREATE TABLE repositories (
			repo_id BIGINT PRIMARY KEY,
			installation_id BIGINT NOT NULL,
			owner TEXT NOT NULL,
			name TEXT NOT NULL,
			owner_key TEXT NOT NULL,
			default_branch TEXT NOT NULL,
			pushed_at BIGINT NOT NULL,
			tree_sha TEXT NOT NULL,
			policy_digest TEXT NOT NULL,
			config_digest TEXT NOT NULL,
			evaluation BYTEA NOT NULL,
			evaluated_at BIGINT NOT NULL)`,
		`CREATE INDEX repositories_owner_key ON repositories (owner_key)`,

		// finished_at 0: the sweep is running.
		`CREATE TABLE sweeps (
			owner_key TEXT NOT NULL,
			started_at BIGINT NOT NULL,
			finished_at BIGINT NOT NULL,
			repositories INTEGER NOT NULL,
			evaluated INTEGER NOT NULL,
			unchanged INTEGER NOT NULL,
			summary BYTEA NOT NULL,
			PRIMARY KEY (owner_key, started_at))`,

		`CREATE TABLE report_issues (
			owner_key TEXT PRIMARY KEY,
			repo TEXT NOT NULL,
			number INTEGER NOT NULL,
			updated_at BIGINT NOT NULL)`,
	}},
	{3, "repository details and outcomes", []string{
		// The large parts of a repository's state live apart, so that a report (and a
		// sweep) scans small rows: SQLite walks a row's overflow pages to reach any
		// column stored after a large value. Details are the full evaluation, the
		// encoded tree listing it saw and the facts it was given, from which a change
		// of rules or configuration re-evaluates without listing the tree again.
		`CREATE TABLE repository_details (
			repo_id BIGINT PRIMARY KEY,
			evaluation BYTEA NOT NULL,
			listing BYTEA NOT NULL,
			facts BYTEA NOT NULL)`,
		`INSERT INTO repository_details (repo_id, evaluation, listing, facts)
			SELECT repo_id, evaluation, '', '' FROM repositories`,
		`ALTER TABLE repositories DROP COLUMN evaluation`,
		// What the report needs of the evaluation: a few hundred bytes of its 16 KB.
		`ALTER TABLE repositories ADD COLUMN outcome BYTEA NOT NULL DEFAULT ''`,
	}},
	{4, "replica heartbeats", []string{
		// One row per running process, keyed by its River client ID (the name River
		// records in river_job.attempted_by). Times come from the database's clock,
		// so replicas' clocks never need to agree.
		`CREATE TABLE replicas (
			id TEXT PRIMARY KEY,
			started_at BIGINT NOT NULL,
			heartbeat_at BIGINT NOT NULL)`,
	}},
	{5, "sweep progress and a closed report issue", []string{
		// A sweep waiting for the rate limit: how many repositories wait, until when,
		// and the repositories it could not judge (JSON), for the report meanwhile.
		`ALTER TABLE sweeps ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE sweeps ADD COLUMN waiting_until BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE sweeps ADD COLUMN unjudged BYTEA NOT NULL DEFAULT ''`,
		// closed 1: a person closed the report issue; it is edited, never reopened.
		`ALTER TABLE report_issues ADD COLUMN closed INTEGER NOT NULL DEFAULT 0`,
	}},
	{6, "readiness write probe", []string{
		// One row, rewritten by each readiness probe: whether the database accepts
		// a write, not only a read.
		`CREATE TABLE readiness_probe (
			id INTEGER PRIMARY KEY,
			probed_at BIGINT NOT NULL)`,
	}},
	{7, "fix pull requests", []string{
		// One row per repository that had a fix pull request: the app's last one,
		// the commit it last pushed (a different head is a person's) and the
		// default-branch commit that one is built on, the files it
		// adds (JSON path → blob SHA) and the files people refused by closing one
		// unmerged (JSON list), which are never proposed again.
		`CREATE TABLE fix_pulls (
			repo_id BIGINT PRIMARY KEY,
			owner_key TEXT NOT NULL,
			number INTEGER NOT NULL,
			head_sha TEXT NOT NULL,
			base_sha TEXT NOT NULL,
			files BYTEA NOT NULL,
			closed_by_app INTEGER NOT NULL,
			refused BYTEA NOT NULL,
			updated_at BIGINT NOT NULL)`,
		`CREATE INDEX fix_pulls_owner_key ON fix_pulls (owner_key)`,
		// A team's "open fix pull requests" request: how many repositories, how
		// many are done, how many failed and the last failure's reason, for the
		// report's progress line.
		`CREATE TABLE fix_runs (
			owner_key TEXT NOT NULL,
			team TEXT NOT NULL,
			started_at BIGINT NOT NULL,
			total INTEGER NOT NULL,
			done INTEGER NOT NULL,
			failed INTEGER NOT NULL,
			problem TEXT NOT NULL,
			PRIMARY KEY (owner_key, team))`,
	}},
	{8, "fix pull requests known open", []string{
		// Whether the app left its fix pull request open with head_sha and body
		// and no webhook has said otherwise since (closed, reopened, or a head
		// that is not the app's): then an update need not read it first.
		`ALTER TABLE fix_pulls ADD COLUMN known_open INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE fix_pulls ADD COLUMN body TEXT NOT NULL DEFAULT ''`,
	}},
}

// migrate applies the product migrations not applied yet, each in its own transaction
// together with its version row, so a crash leaves either all of a step or none.
func migrate(ctx context.Context, q querier, ddl func(string) string, now func() time.Time) error {
	_, err := q.exec(ctx, `CREATE TABLE IF NOT EXISTS goldenpath_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("create goldenpath_migrations: %w", err)
	}
	for _, m := range migrations {
		err := q.inTx(ctx, func(tx querier) error {
			var applied int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM goldenpath_migrations WHERE version = $1`, m.version).Scan(&applied); err != nil {
				return err
			}
			if applied > 0 {
				return nil
			}
			for _, stmt := range m.statements {
				if _, err := tx.exec(ctx, ddl(stmt)); err != nil {
					return err
				}
			}
			_, err := tx.exec(ctx, `INSERT INTO goldenpath_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, millis(now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}
