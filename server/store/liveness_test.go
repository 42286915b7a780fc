package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// runningJob inserts an echo job and makes it look taken by replica age ago, with
// attempts of its maxAttempts spent.
func runningJob(t *testing.T, s *Store, msg, replica string, age time.Duration, attempt, maxAttempts int) int64 {
	t.Helper()
	ctx := t.Context()
	if err := s.InTx(ctx, func(tx *Tx) error { _, err := tx.InsertJob(ctx, echoArgs{Msg: msg}, nil); return err }); err != nil {
		t.Fatal(err)
	}
	take := `UPDATE river_job SET state = 'running', attempt = $2, max_attempts = $3,
		attempted_at = now() - make_interval(secs => $4), attempted_by = ARRAY['someone else', $1]
		WHERE args->>'msg' = $5 RETURNING id`
	if s.Kind() == KindSQLite {
		take = `UPDATE river_job SET state = 'running', attempt = $2, max_attempts = $3,
			attempted_at = datetime('now', 'subsec', '-' || $4 || ' seconds'), attempted_by = json_array('someone else', $1)
			WHERE json_extract(args, '$.msg') = $5 RETURNING id`
	}
	var id int64
	if err := s.q.queryRow(ctx, take, replica, attempt, maxAttempts, age.Seconds(), msg).Scan(&id); err != nil {
		t.Fatalf("take job %s: %v", msg, err)
	}
	return id
}

// silence makes replica id's last heartbeat look d old.
func silence(t *testing.T, s *Store, id string, d time.Duration) {
	t.Helper()
	if _, err := s.q.exec(t.Context(), `UPDATE replicas SET heartbeat_at = heartbeat_at - $2 WHERE id = $1`, id, d.Milliseconds()); err != nil {
		t.Fatal(err)
	}
}

func TestRescueJobs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		for _, id := range []string{"me", "alive", "dead"} {
			if err := s.RegisterReplica(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		silence(t, s, "dead", time.Minute)
		jobs := map[string]int64{
			"dead's":           runningJob(t, s, "dead's", "dead", time.Second, 1, 5),
			"dead's last try":  runningJob(t, s, "dead's last try", "dead", time.Second, 5, 5),
			"alive's long job": runningJob(t, s, "alive's long job", "alive", time.Hour, 1, 5),
			"my stranded":      runningJob(t, s, "my stranded", "me", time.Minute, 1, 5),
			"my busy":          runningJob(t, s, "my busy", "me", time.Minute, 1, 5),
			"my fresh":         runningJob(t, s, "my fresh", "me", time.Second, 1, 5),
			"unknown's":        runningJob(t, s, "unknown's", "never registered", time.Hour, 1, 5),
		}
		names := map[int64]string{}
		for name, id := range jobs {
			names[id] = name
		}
		for _, c := range []struct {
			name          string
			rescue        Rescue
			want          []string
			wantDiscarded []string
		}{
			{"nothing selected", Rescue{Replica: "me"}, nil, nil},
			{"dead replica and own stranded jobs",
				Rescue{Replica: "me", DeadAfter: 20 * time.Second, StrandedAfter: 30 * time.Second, Busy: []int64{jobs["my busy"]}},
				[]string{"dead's", "my stranded"}, []string{"dead's last try"}},
			{"again: nothing left to rescue",
				Rescue{Replica: "me", DeadAfter: 20 * time.Second, StrandedAfter: 30 * time.Second, Busy: []int64{jobs["my busy"]}},
				nil, nil},
			{"all, at start-up on a locked file", Rescue{All: true},
				[]string{"alive's long job", "my busy", "my fresh", "unknown's"}, nil},
		} {
			got, err := s.RescueJobs(ctx, c.rescue)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var rescued, discarded []string
			for _, j := range got {
				if j.Kind != (echoArgs{}).Kind() {
					t.Errorf("%s: rescued job kind %q", c.name, j.Kind)
				}
				if j.Discarded {
					discarded = append(discarded, names[j.ID])
				} else {
					rescued = append(rescued, names[j.ID])
				}
			}
			slices.Sort(rescued)
			slices.Sort(discarded)
			if !slices.Equal(rescued, c.want) || !slices.Equal(discarded, c.wantDiscarded) {
				t.Errorf("%s: rescued %q and discarded %q, want %q and %q", c.name, rescued, discarded, c.want, c.wantDiscarded)
			}
		}

		// River sees the rescued jobs as ordinary available ones and works them; the
		// interrupted attempt is recorded.
		_, worked := startQueue(t, s)
		seen := map[string]bool{}
		for range 6 {
			select {
			case msg := <-worked:
				seen[msg] = true
			case <-time.After(10 * time.Second):
				t.Fatalf("rescued jobs worked: %v, want 6", seen)
			}
		}
		if seen["dead's last try"] {
			t.Error("a job past its last attempt was worked again")
		}
		var errs string
		q := `SELECT errors::text FROM river_job WHERE id = $1`
		if s.Kind() == KindSQLite {
			q = `SELECT CAST(errors AS TEXT) FROM river_job WHERE id = $1`
		}
		if err := s.q.queryRow(ctx, q, jobs["dead's"]).Scan(&errs); err != nil || !strings.Contains(errs, "the process running it stopped") {
			t.Errorf("errors of a rescued job = %s, %v; want the rescue's reason", errs, err)
		}
	})
}

func TestHeartbeat(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		if err := s.RegisterReplica(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Heartbeat(ctx, "a", 20*time.Second); err != nil {
			t.Errorf("heartbeat of a live replica: %v", err)
		}
		silence(t, s, "a", 30*time.Second)
		for range 2 { // and it stays lapsed: the failed heartbeat renewed nothing
			if err := s.Heartbeat(ctx, "a", 20*time.Second); !errors.Is(err, ErrReplicaLapsed) {
				t.Errorf("heartbeat 30s after the last = %v, want ErrReplicaLapsed", err)
			}
		}
		if err := s.Heartbeat(ctx, "never registered", 20*time.Second); !errors.Is(err, ErrReplicaLapsed) {
			t.Errorf("heartbeat of an unknown replica = %v, want ErrReplicaLapsed", err)
		}
		if err := s.RegisterReplica(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		if err := s.ForgetReplicas(ctx, 25*time.Second); err != nil {
			t.Fatal(err)
		}
		var left []string
		err := s.q.eachRow(ctx, `SELECT id FROM replicas ORDER BY id`, nil, func(r row) error {
			var id string
			err := r.Scan(&id)
			left = append(left, id)
			return err
		})
		if err != nil || !slices.Equal(left, []string{"b"}) {
			t.Errorf("replicas after forgetting the silent ones = %q, %v; want [b]", left, err)
		}
	})
}

func TestSecondProcessOnSQLiteFileRefused(t *testing.T) {
	url := storetest.SQLiteURL(t)
	first := openStore(t, url)
	_, err := Open(context.Background(), url)
	if err == nil || !strings.Contains(err.Error(), "in use by another goldenpath process") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("second Open of a SQLite file = %v, want one line saying it is in use", err)
	}
	first.Close()
	again, err := Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open after the first closed: %v", err)
	}
	again.Close()
}

func TestCompleteJobs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		lost := runningJob(t, s, "result lost", "me", time.Second, 2, 5)
		retaken := runningJob(t, s, "taken again since", "me", time.Second, 3, 5)
		others := runningJob(t, s, "another replica's", "other", time.Second, 1, 5)
		n, err := s.CompleteJobs(ctx, "me", []JobAttempt{{lost, 2}, {retaken, 2}, {others, 1}})
		if err != nil || n != 1 {
			t.Fatalf("CompleteJobs = %d, %v; want 1 (only the attempt still running as it was)", n, err)
		}
		if n, err := s.CompleteJobs(ctx, "me", []JobAttempt{{lost, 2}}); err != nil || n != 0 {
			t.Errorf("CompleteJobs again = %d, %v; want 0", n, err)
		}
		if n, err := s.CompleteJobs(ctx, "me", nil); err != nil || n != 0 {
			t.Errorf("CompleteJobs of nothing = %d, %v", n, err)
		}
		for id, want := range map[int64]string{lost: "completed", retaken: "running", others: "running"} {
			var state string
			if err := s.q.queryRow(ctx, `SELECT CAST(state AS TEXT) FROM river_job WHERE id = $1`, id).Scan(&state); err != nil || state != want {
				t.Errorf("job %d: state %q, %v; want %s", id, state, err, want)
			}
		}
	})
}
