package store

import (
	"context"
	"errors"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Queue is the Store's River client, whatever the database.
type Queue interface {
	Start(ctx context.Context) error
	// Stop waits for running jobs to finish (or ctx to end).
	Stop(ctx context.Context) error
	// StopAndCancel cancels running jobs' contexts, then waits for them.
	StopAndCancel(ctx context.Context) error
	// Insert inserts a job outside any transaction. inserted is false when River
	// skipped it as a duplicate of a unique job. Inside InTx use Tx.InsertJob.
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (inserted bool, err error)
	// Subscribe returns job events of the given kinds (at least one) and a function
	// that cancels the subscription. Events are dropped when the channel is full.
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
	// ID is the client's name, which River records in the attempted_by of the jobs
	// it works.
	ID() string
}

// riverJobs is the River side of a backend: one client per Store, insert-only until
// NewQueue replaces it with the working client.
type riverJobs[TTx any] struct {
	driver riverdriver.Driver[TTx]
	// schema is River's table schema on PostgreSQL ("" on SQLite).
	schema string
	// applyDefaults adjusts a queue config for the database (e.g. SQLite's polling).
	applyDefaults func(*river.Config)

	mu     sync.Mutex
	client *river.Client[TTx]
	queue  *riverQueue[TTx]
}

func newRiverJobs[TTx any](driver riverdriver.Driver[TTx], schema string, applyDefaults func(*river.Config)) (*riverJobs[TTx], error) {
	// A client without queues or workers only inserts; River allows it.
	client, err := river.NewClient(driver, &river.Config{Schema: schema})
	if err != nil {
		return nil, err
	}
	return &riverJobs[TTx]{driver: driver, schema: schema, applyDefaults: applyDefaults, client: client}, nil
}

func (j *riverJobs[TTx]) migrateRiver(ctx context.Context) error {
	m, err := rivermigrate.New(j.driver, &rivermigrate.Config{Schema: j.schema})
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

func (j *riverJobs[TTx]) newQueue(cfg *river.Config) (Queue, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.queue != nil {
		return nil, errors.New("the store already has a queue")
	}
	c := *cfg // not the caller's: Schema and defaults are set here
	if c.Schema == "" {
		c.Schema = j.schema
	}
	j.applyDefaults(&c)
	client, err := river.NewClient(j.driver, &c)
	if err != nil {
		return nil, err
	}
	j.client = client
	j.queue = &riverQueue[TTx]{client: client}
	return j.queue, nil
}

func (j *riverJobs[TTx]) insertTx(ctx context.Context, tx TTx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	j.mu.Lock()
	client := j.client
	j.mu.Unlock()
	return client.InsertTx(ctx, tx, args, opts)
}

type riverQueue[TTx any] struct {
	client *river.Client[TTx]
}

func (q *riverQueue[TTx]) Start(ctx context.Context) error { return q.client.Start(ctx) }
func (q *riverQueue[TTx]) Stop(ctx context.Context) error  { return q.client.Stop(ctx) }
func (q *riverQueue[TTx]) StopAndCancel(ctx context.Context) error {
	return q.client.StopAndCancel(ctx)
}

func (q *riverQueue[TTx]) ID() string { return q.client.ID() }

func (q *riverQueue[TTx]) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.client.Subscribe(kinds...)
}

func (q *riverQueue[TTx]) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (bool, error) {
	res, err := q.client.Insert(ctx, args, opts)
	if err != nil {
		return false, err
	}
	return !res.UniqueSkippedAsDuplicate, nil
}
