package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// postgresConnectTimeout bounds each connection attempt when the URL sets no
// connect_timeout, so an unreachable server fails start-up quickly.
const postgresConnectTimeout = 5 * time.Second

type postgresBackend struct {
	*riverJobs[pgx.Tx]
	pgxPool *pgxpool.Pool
	schema  string
}

func openPostgres(ctx context.Context, url string) (*postgresBackend, error) {
	cfg, err := pgxpool.ParseConfig(url) // its errors redact the password
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL database: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = postgresConnectTimeout
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL database: %w", err)
	}
	// River and the product tables share the schema that unqualified names resolve
	// to (search_path). Naming it to River also scopes its LISTEN/NOTIFY channels.
	var schema string
	if err := p.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if schema == "" {
		p.Close()
		return nil, errors.New("open PostgreSQL database: no schema of the search_path exists")
	}
	jobs, err := newRiverJobs(riverpgxv5.New(p), schema, func(*river.Config) {})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("open PostgreSQL database: River client: %w", err)
	}
	return &postgresBackend{riverJobs: jobs, pgxPool: p, schema: schema}, nil
}

func (b *postgresBackend) kind() string        { return KindPostgres }
func (b *postgresBackend) pool() querier       { return pgxQuerier{conn: b.pgxPool, pool: b.pgxPool} }
func (b *postgresBackend) close()              { b.pgxPool.Close() }
func (b *postgresBackend) ddl(s string) string { return s }

func (b *postgresBackend) queueStatsQuery() string {
	return `SELECT count(*), coalesce((extract(epoch FROM now() - min(scheduled_at)) * 1000)::bigint, 0)
		FROM river_job WHERE state = 'available'`
}

func (b *postgresBackend) nowMillisSQL() string {
	return `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`
}

func (b *postgresBackend) rescueJobsSQL() string {
	return `UPDATE river_job SET
		state = CASE WHEN attempt >= max_attempts THEN 'discarded'::river_job_state ELSE 'available'::river_job_state END,
		finalized_at = CASE WHEN attempt >= max_attempts THEN now() END,
		scheduled_at = now(),
		errors = array_append(errors, jsonb_build_object('at', now(), 'attempt', attempt, 'error', $1::text, 'trace', ''))
	WHERE state = 'running' AND (
		$6::boolean
		OR attempted_by[array_length(attempted_by, 1)] IN (
			SELECT id FROM replicas WHERE id <> $2 AND heartbeat_at < ` + b.nowMillisSQL() + ` - $5::bigint)
		OR (attempted_by[array_length(attempted_by, 1)] = $2
			AND attempted_at < now() - make_interval(secs => $3::double precision)
			AND NOT id = ANY (ARRAY(SELECT jsonb_array_elements_text($4::jsonb)::bigint))))
	RETURNING id, kind, attempt, state::text`
}

func (b *postgresBackend) completeJobsSQL() string {
	return `UPDATE river_job SET state = 'completed', finalized_at = now()
	FROM jsonb_to_recordset($2::jsonb) AS a(id bigint, attempt int)
	WHERE river_job.id = a.id AND river_job.attempt = a.attempt
		AND river_job.state = 'running' AND river_job.attempted_by[array_length(river_job.attempted_by, 1)] = $1`
}

// withMigrationLock holds a session advisory lock, so replicas starting together
// migrate one after the other. The lock lives on a dedicated connection that is closed
// afterwards: the lock can never stay behind in the pool.
func (b *postgresBackend) withMigrationLock(ctx context.Context, fn func() error) error {
	conn, err := pgx.ConnectConfig(ctx, b.pgxPool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect for the migration lock: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	h := fnv.New64a()
	_, _ = h.Write([]byte("goldenpath migrations " + b.schema))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(h.Sum64())); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	return fn()
}

func (b *postgresBackend) inTx(ctx context.Context, fn func(querier, jobInserter) error) error {
	return pgx.BeginFunc(ctx, b.pgxPool, func(tx pgx.Tx) error {
		return fn(pgxQuerier{conn: tx}, func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
			return b.insertTx(ctx, tx, args, opts)
		})
	})
}

// pgxQuerier runs product SQL on the pool or inside a pgx.Tx.
type pgxQuerier struct {
	conn interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
	pool *pgxpool.Pool // nil inside a transaction
}

func (q pgxQuerier) eachRow(ctx context.Context, query string, args []any, fn func(row) error) error {
	rows, err := q.conn.Query(ctx, query, args...)
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

func (q pgxQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.conn.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q pgxQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return q.conn.QueryRow(ctx, query, args...)
}

func (q pgxQuerier) inTx(ctx context.Context, fn func(querier) error) error {
	if q.pool == nil {
		return fn(q)
	}
	return pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error { return fn(pgxQuerier{conn: tx}) })
}
