package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// echoArgs is unique by Msg, so a test can insert it twice.
type echoArgs struct {
	Msg string `json:"msg" river:"unique"`
}

func (echoArgs) Kind() string { return "store_test_echo" }
func (echoArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	worked chan string
}

func (w *echoWorker) Work(_ context.Context, job *river.Job[echoArgs]) error {
	w.worked <- job.Args.Msg
	return nil
}

// startQueue starts a queue working echo jobs, stopped when the test ends.
func startQueue(t *testing.T, s *Store) (Queue, <-chan string) {
	t.Helper()
	worker := &echoWorker{worked: make(chan string, 10)}
	workers := river.NewWorkers()
	river.AddWorker(workers, worker)
	q, err := s.NewQueue(&river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:           workers,
		FetchCooldown:     10 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop queue: %v", err)
		}
	})
	return q, worker.worked
}

func waitWorked(t *testing.T, worked <-chan string, want string) {
	t.Helper()
	select {
	case got := <-worked:
		if got != want {
			t.Errorf("worked %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("job %q not worked within 10s", want)
	}
}

func TestJobInsertedInTxIsWorked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		q, worked := startQueue(t, s)
		completed, cancel := q.Subscribe(river.EventKindJobCompleted)
		defer cancel()

		// What the webhook handler does: dedupe the delivery and queue its work atomically.
		err := s.InTx(t.Context(), func(tx *Tx) error {
			if fresh, err := tx.RecordDelivery(t.Context(), "d-1", "pull_request"); err != nil || !fresh {
				return errors.Join(err, errors.New("delivery not fresh"))
			}
			_, err := tx.InsertJob(t.Context(), echoArgs{Msg: "from tx"}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		waitWorked(t, worked, "from tx")
		select {
		case ev := <-completed:
			if ev.Job.Kind != (echoArgs{}).Kind() {
				t.Errorf("completed job kind %q", ev.Job.Kind)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no completed event within 10s")
		}

		if inserted, err := q.Insert(t.Context(), echoArgs{Msg: "direct"}, nil); err != nil || !inserted {
			t.Fatalf("Queue.Insert = %v, %v", inserted, err)
		}
		waitWorked(t, worked, "direct")
	})
}

func TestJobInsertRolledBackWithTx(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		boom := errors.New("boom")
		err := s.InTx(t.Context(), func(tx *Tx) error {
			if _, err := tx.InsertJob(t.Context(), echoArgs{Msg: "never"}, nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if n, _, err := s.QueueStats(t.Context()); err != nil || n != 0 {
			t.Errorf("QueueStats after rollback = %d jobs, %v; want 0", n, err)
		}
		// The unique key went with the rollback too.
		err = s.InTx(t.Context(), func(tx *Tx) error {
			inserted, err := tx.InsertJob(t.Context(), echoArgs{Msg: "never"}, nil)
			if err == nil && !inserted {
				err = errors.New("skipped as a duplicate of a rolled-back job")
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
}

func TestUniqueJobsAreDeduplicated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		insertInTx := func(msg string) (inserted bool, err error) {
			err = s.InTx(ctx, func(tx *Tx) error {
				inserted, err = tx.InsertJob(ctx, echoArgs{Msg: msg}, nil)
				return err
			})
			return inserted, err
		}
		// Before NewQueue the store inserts through its insert-only client.
		for i, want := range []bool{true, false} {
			if inserted, err := insertInTx("same"); err != nil || inserted != want {
				t.Errorf("insert-only client, insert %d = %v, %v; want %v", i+1, inserted, err, want)
			}
		}

		q, err := s.NewQueue(&river.Config{
			Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
			Workers: func() *river.Workers { w := river.NewWorkers(); river.AddWorker(w, &echoWorker{}); return w }(),
		}) // not started: the jobs stay available
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			if inserted, err := q.Insert(ctx, echoArgs{Msg: "other"}, nil); err != nil || inserted != want {
				t.Errorf("Queue.Insert %d = %v, %v; want %v", i+1, inserted, err, want)
			}
		}
		if inserted, err := insertInTx("same"); err != nil || inserted {
			t.Errorf("queue client, InsertJob of a queued duplicate = %v, %v; want false", inserted, err)
		}
		if n, _, err := s.QueueStats(ctx); err != nil || n != 2 {
			t.Errorf("QueueStats = %d, %v; want 2 jobs", n, err)
		}
	})
}

func TestNewQueueMisuse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		if _, err := s.NewQueue(&river.Config{}); err == nil {
			t.Error("NewQueue without queues succeeded")
		}
		startQueue(t, s)
		if _, err := s.NewQueue(&river.Config{Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}}}); err == nil {
			t.Error("second NewQueue succeeded")
		}
	})
}

func TestQueuedJobSurvivesRestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		first := openStore(t, url)
		err := first.InTx(t.Context(), func(tx *Tx) error {
			_, err := tx.InsertJob(t.Context(), echoArgs{Msg: "durable"}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		first.Close() // like a crash after the webhook was answered

		second := openStore(t, url)
		time.Sleep(20 * time.Millisecond) // let the job age measurably
		n, age, err := second.QueueStats(t.Context())
		if err != nil || n != 1 || age <= 0 || age > time.Minute {
			t.Fatalf("QueueStats after reopening = %d, %s, %v; want 1 job a little old", n, age, err)
		}
		_, worked := startQueue(t, second)
		waitWorked(t, worked, "durable")
	})
}
