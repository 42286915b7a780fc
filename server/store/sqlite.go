package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqlitePollInterval replaces River's 1s default fetch poll on SQLite, which has no
// LISTEN/NOTIFY: jobs inserted in a transaction wait for the next poll, and polling a
// local file is cheap.
const sqlitePollInterval = 250 * time.Millisecond

// sqliteParams configure every connection modernc.org/sqlite opens:
//   - _txlock=immediate takes the write lock at BEGIN, so a transaction never fails
//     upgrading a read lock when another process wrote meanwhile;
//   - WAL lets readers in other processes run beside the writer;
//   - synchronous=FULL makes a commit durable before it returns (nothing
//     acknowledged is lost, even on power failure).
const sqliteParams = "?_txlock=immediate&_busy_timeout=5000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1"

type sqliteBackend struct {
	*riverJobs[*sql.Tx]
	db *sql.DB
	// lock is held for the process's life: see lockSQLite.
	lock *os.File
}

func openSQLite(ctx context.Context, path string) (*sqliteBackend, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open SQLite database %s: create its directory: %w", path, err)
	}
	// Create the file ourselves so that it is private: it caches repository contents.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	_ = f.Close()
	lock, err := lockSQLite(path)
	if err != nil {
		return nil, err
	}

	db, err := sql.Open("sqlite", path+sqliteParams)
	if err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	// One connection serialises all writers in this process: SQLite has a single
	// writer anyway, and busy errors between our own connections disappear.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		_ = lock.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	jobs, err := newRiverJobs(riversqlite.New(db), "", func(c *river.Config) {
		if c.FetchPollInterval == 0 {
			c.FetchPollInterval = max(sqlitePollInterval, c.FetchCooldown)
		}
	})
	if err != nil {
		_ = db.Close()
		_ = lock.Close()
		return nil, fmt.Errorf("open SQLite database %s: River client: %w", path, err)
	}
	return &sqliteBackend{riverJobs: jobs, db: db, lock: lock}, nil
}

func (b *sqliteBackend) kind() string  { return KindSQLite }
func (b *sqliteBackend) pool() querier { return sqliteQuerier{conn: b.db, db: b.db} }
func (b *sqliteBackend) close() {
	_ = b.db.Close()
	_ = b.lock.Close()
}
func (b *sqliteBackend) ddl(s string) string {
	return strings.ReplaceAll(s, "BYTEA", "BLOB") // SQLite's name for bytes
}

// withMigrationLock needs no lock: one process owns a SQLite file, and its single
// connection serialises everything.
func (b *sqliteBackend) withMigrationLock(_ context.Context, fn func() error) error { return fn() }

func (b *sqliteBackend) queueStatsQuery() string {
	// River stores SQLite times as UTC text "2006-01-02 15:04:05.999".
	return `SELECT count(*), coalesce(CAST((julianday('now') - julianday(min(scheduled_at))) * 86400000 AS INTEGER), 0)
		FROM river_job WHERE state = 'available'`
}

func (b *sqliteBackend) nowMillisSQL() string {
	return `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
}

// rescueJobsSQL writes River's SQLite encodings: times as UTC text, errors and
// attempted_by as JSON arrays.
func (b *sqliteBackend) rescueJobsSQL() string {
	return `UPDATE river_job SET
		state = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'available' END,
		finalized_at = CASE WHEN attempt >= max_attempts THEN datetime('now', 'subsec') END,
		scheduled_at = datetime('now', 'subsec'),
		errors = json_insert(coalesce(errors, json('[]')), '$[#]',
			json_object('at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'attempt', attempt, 'error', $1, 'trace', ''))
	WHERE state = 'running' AND (
		$6
		OR json_extract(attempted_by, '$[#-1]') IN (
			SELECT id FROM replicas WHERE id <> $2 AND heartbeat_at < ` + b.nowMillisSQL() + ` - $5)
		OR (json_extract(attempted_by, '$[#-1]') = $2
			AND attempted_at < datetime('now', 'subsec', '-' || $3 || ' seconds')
			AND id NOT IN (SELECT value FROM json_each($4))))
	RETURNING id, kind, attempt, state`
}

func (b *sqliteBackend) completeJobsSQL() string {
	return `UPDATE river_job SET state = 'completed', finalized_at = datetime('now', 'subsec')
	WHERE state = 'running' AND json_extract(attempted_by, '$[#-1]') = $1
		AND EXISTS (SELECT 1 FROM json_each($2) AS a
			WHERE json_extract(a.value, '$.id') = river_job.id AND json_extract(a.value, '$.attempt') = river_job.attempt)`
}

func (b *sqliteBackend) inTx(ctx context.Context, fn func(querier, jobInserter) error) error {
	return withSQLTx(ctx, b.db, func(tx *sql.Tx) error {
		return fn(sqliteQuerier{conn: tx}, func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
			return b.insertTx(ctx, tx, args, opts)
		})
	})
}

func withSQLTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // no-op after Commit; covers errors and panics
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqliteQuerier runs product SQL on the *sql.DB or inside a *sql.Tx.
type sqliteQuerier struct {
	conn interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
	db *sql.DB // nil inside a transaction
}

func (q sqliteQuerier) eachRow(ctx context.Context, query string, args []any, fn func(row) error) error {
	rows, err := q.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (q sqliteQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.conn.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqliteQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return q.conn.QueryRowContext(ctx, query, args...)
}

func (q sqliteQuerier) inTx(ctx context.Context, fn func(querier) error) error {
	if q.db == nil {
		return fn(q)
	}
	return withSQLTx(ctx, q.db, func(tx *sql.Tx) error { return fn(sqliteQuerier{conn: tx}) })
}
