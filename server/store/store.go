// Package store holds the app's durable state and River's job queue in one database:
// SQLite (embedded, the default) or PostgreSQL, chosen by URL.
//
// River's client is generic over the driver's transaction type; that genericity stays
// inside this package. Callers see one Store, one Tx and one Queue whatever the database.
// Product SQL is written once with $1, $2 placeholders: pgx binds them natively and
// modernc.org/sqlite binds $N to the N-th argument.
//
// On SQLite the store has exactly one connection: inside InTx use the *Tx for every
// query and job insert, never the Store (it would wait for the connection the
// transaction holds).
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Database kinds returned by Kind.
const (
	KindSQLite   = "sqlite"
	KindPostgres = "postgres"
)

// Store is the app's database. Its query methods run outside any transaction; use
// InTx to group writes with job inserts.
type Store struct {
	queries
	b backend
}

// Tx is a database transaction opened by InTx. It is valid only until fn returns.
type Tx struct {
	queries
	insertJob jobInserter
}

// jobInserter inserts a River job inside the transaction it is bound to.
type jobInserter func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)

// backend is what differs between SQLite and PostgreSQL.
type backend interface {
	kind() string
	// pool runs queries outside any transaction.
	pool() querier
	// inTx runs fn in one transaction, with a job inserter bound to that transaction.
	inTx(ctx context.Context, fn func(querier, jobInserter) error) error
	// withMigrationLock runs fn while no other process migrates the same database.
	withMigrationLock(ctx context.Context, fn func() error) error
	migrateRiver(ctx context.Context) error
	newQueue(cfg *river.Config) (Queue, error)
	// ddl adapts a product migration statement to the database's type names.
	ddl(stmt string) string
	// queueStatsQuery returns (available jobs, age of the oldest in milliseconds).
	queueStatsQuery() string
	// nowMillisSQL is the database clock in unix milliseconds, as an SQL expression.
	nowMillisSQL() string
	// rescueJobsSQL is Store.RescueJobs's statement. Its parameters: $1 the error
	// message, $2 this replica's ID, $3 the stranded-after window in seconds, $4
	// the busy job IDs as a JSON array, $5 the dead-after window in milliseconds,
	// $6 whether to rescue every running job.
	rescueJobsSQL() string
	// completeJobsSQL is Store.CompleteJobs's statement: $1 the replica's ID, $2
	// the attempts as a JSON array of {"id", "attempt"}.
	completeJobsSQL() string
	close()
}

// Open connects to the database named by url, creating it where that is possible
// (SQLite), and brings River's and the app's schema up to date.
//
// Accepted URLs are ParseURL's: sqlite://./relative.db (relative to the working
// directory), sqlite:///absolute/path.db, postgres://... and postgresql://...
// (any pgx connection URL; connect_timeout defaults to 5s).
func Open(ctx context.Context, url string) (*Store, error) {
	kind, dsn, err := ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("open database: the URL %w", err)
	}
	var b backend
	if kind == KindSQLite {
		b, err = openSQLite(ctx, dsn)
	} else {
		b, err = openPostgres(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	s := &Store{queries: queries{q: b.pool(), now: time.Now}, b: b}
	err = b.withMigrationLock(ctx, func() error {
		if err := b.migrateRiver(ctx); err != nil {
			return fmt.Errorf("migrate River's tables: %w", err)
		}
		return migrate(ctx, b.pool(), b.ddl, s.now)
	})
	if err != nil {
		b.close()
		return nil, fmt.Errorf("migrate %s database: %w", b.kind(), err)
	}
	return s, nil
}

// Close closes the database. Stop the Queue first.
func (s *Store) Close() { s.b.close() }

// Kind is KindSQLite or KindPostgres.
func (s *Store) Kind() string { return s.b.kind() }

// Ping checks that the database answers a query (for readiness probes).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.q.queryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping %s database: %w", s.b.kind(), err)
	}
	return nil
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back when it
// returns an error (which InTx returns) or panics. Jobs inserted with tx.InsertJob
// become visible to workers only on commit.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.b.inTx(ctx, func(q querier, insert jobInserter) error {
		return fn(&Tx{queries: queries{q: q, now: s.now}, insertJob: insert})
	})
}

// InsertJob inserts a River job in this transaction. inserted is false when River
// skipped it as a duplicate of a unique job.
func (tx *Tx) InsertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (inserted bool, err error) {
	res, err := tx.insertJob(ctx, args, opts)
	if err != nil {
		return false, fmt.Errorf("insert %s job: %w", args.Kind(), err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// NewQueue creates the Store's River client with cfg (queues, workers, ...), which
// must configure at least one queue. Call it at most once, before Start; from then on
// Tx.InsertJob goes through this client too, so both share its insert defaults.
func (s *Store) NewQueue(cfg *river.Config) (Queue, error) {
	if cfg == nil || len(cfg.Queues) == 0 {
		return nil, errors.New("new queue: no queues configured (jobs can be inserted without a Queue)")
	}
	q, err := s.b.newQueue(cfg)
	if err != nil {
		return nil, fmt.Errorf("new queue: %w", err)
	}
	return q, nil
}

// QueueStats reports the jobs ready to run and how long the oldest has waited.
func (s *Store) QueueStats(ctx context.Context) (available int, oldestAvailable time.Duration, err error) {
	var ageMillis int64
	if err := s.q.queryRow(ctx, s.b.queueStatsQuery()).Scan(&available, &ageMillis); err != nil {
		return 0, 0, fmt.Errorf("queue stats: %w", err)
	}
	return available, time.Duration(max(ageMillis, 0)) * time.Millisecond, nil
}
