package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrReplicaLapsed means a replica's heartbeat is older than the dead-after window:
// other replicas may already have rescued its jobs, so it must not go on with them.
var ErrReplicaLapsed = errors.New("replica heartbeat lapsed")

// RegisterReplica records a new process by its River client ID, alive from now.
func (s *Store) RegisterReplica(ctx context.Context, id string) error {
	now := s.b.nowMillisSQL()
	_, err := s.q.exec(ctx, `INSERT INTO replicas (id, started_at, heartbeat_at) VALUES ($1, `+now+`, `+now+`)`, id)
	if err != nil {
		return fmt.Errorf("register replica %s: %w", id, err)
	}
	return nil
}

// Heartbeat tells the other replicas that replica id is alive. It fails with
// ErrReplicaLapsed, and renews nothing, when the last heartbeat is older than
// deadAfter: a replica that was silent that long is dead to the others and must
// not come back to life with the jobs they rescued.
func (s *Store) Heartbeat(ctx context.Context, id string, deadAfter time.Duration) error {
	now := s.b.nowMillisSQL()
	n, err := s.q.exec(ctx, `UPDATE replicas SET heartbeat_at = `+now+` WHERE id = $1 AND heartbeat_at >= `+now+` - $2`,
		id, deadAfter.Milliseconds())
	if err != nil {
		return fmt.Errorf("heartbeat of replica %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("heartbeat of replica %s: %w", id, ErrReplicaLapsed)
	}
	return nil
}

// ForgetReplicas deletes the rows of replicas silent for longer than olderThan.
func (s *Store) ForgetReplicas(ctx context.Context, olderThan time.Duration) error {
	_, err := s.q.exec(ctx, `DELETE FROM replicas WHERE heartbeat_at < `+s.b.nowMillisSQL()+` - $1`, olderThan.Milliseconds())
	if err != nil {
		return fmt.Errorf("forget silent replicas: %w", err)
	}
	return nil
}

// Rescue says which jobs left `running` belong to nobody any more.
type Rescue struct {
	// All rescues every running job: right only when no other process can hold
	// one, as on a SQLite file this process has locked.
	All bool
	// Replica is this process's River client ID.
	Replica string
	// DeadAfter: the jobs of another replica whose heartbeat is older than this are
	// rescued (0: no replica is judged by its heartbeat).
	DeadAfter time.Duration
	// StrandedAfter: this replica's own jobs attempted longer ago than this, and not
	// among Busy, are rescued: River lost its completion write (0: none are).
	StrandedAfter time.Duration
	// Busy are the jobs this replica is working on, or whose result River may still
	// be writing.
	Busy []int64
}

// RescuedJob is a job a rescue made available again, or discarded when it had
// used its last attempt.
type RescuedJob struct {
	ID        int64
	Kind      string
	Attempt   int
	Discarded bool
}

// RescueJobs makes the running jobs r selects available at once, in one
// statement: a job another replica took meanwhile is no longer selected. The
// interrupted attempt counts, with an error saying why, so a job that kills its
// process every time still ends after its last attempt.
func (s *Store) RescueJobs(ctx context.Context, r Rescue) ([]RescuedJob, error) {
	reason := "rescued: the process running it stopped"
	if r.All {
		reason = "rescued at start-up: the process running it stopped"
	}
	busy, err := json.Marshal(append([]int64{}, r.Busy...))
	if err != nil {
		return nil, err
	}
	// A window of a century selects nobody.
	const never = 100 * 365 * 24 * time.Hour
	deadAfter, stranded := r.DeadAfter, r.StrandedAfter
	if deadAfter <= 0 {
		deadAfter = never
	}
	if stranded <= 0 {
		stranded = never
	}
	var out []RescuedJob
	err = s.q.eachRow(ctx, s.b.rescueJobsSQL(), []any{reason, r.Replica, stranded.Seconds(), string(busy), deadAfter.Milliseconds(), r.All}, func(row row) error {
		var j RescuedJob
		var state string
		if err := row.Scan(&j.ID, &j.Kind, &j.Attempt, &state); err != nil {
			return err
		}
		j.Discarded = state == "discarded"
		out = append(out, j)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rescue abandoned jobs: %w", err)
	}
	return out, nil
}

// JobAttempt names one attempt of a job.
type JobAttempt struct {
	ID      int64 `json:"id"`
	Attempt int   `json:"attempt"`
}

// CompleteJobs marks completed the given attempts that replica finished
// successfully but River still holds as running: its write of their results was
// lost while the database was away. An attempt River has written meanwhile, or
// that is no longer the job's latest, is left alone, so this repeats River's own
// write at most. It returns how many it completed.
func (s *Store) CompleteJobs(ctx context.Context, replica string, attempts []JobAttempt) (int64, error) {
	if len(attempts) == 0 {
		return 0, nil
	}
	list, err := json.Marshal(attempts)
	if err != nil {
		return 0, err
	}
	n, err := s.q.exec(ctx, s.b.completeJobsSQL(), replica, string(list))
	if err != nil {
		return 0, fmt.Errorf("complete jobs whose results were not written: %w", err)
	}
	return n, nil
}
