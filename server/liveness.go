package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/server/store"
)

// River rescues a job left running only after job_rescue_after (it cannot tell a
// dead process from a slow job). The liveness below finds such jobs in seconds:
//   - SQLite: the file is locked by one process, so every job running at start-up
//     belongs to a dead one and is rescued before the workers start;
//   - PostgreSQL: each replica heartbeats, and a replica silent for
//     replicaDeadAfter has its jobs (River's attempted_by names it) rescued by
//     another; a replica that finds its own heartbeat lapsed exits at once, before
//     it writes anything more, because its jobs may be running elsewhere already;
//   - both: a job of this process that River still holds as running although no
//     worker runs it any more (its completion write failed while the database was
//     away) is made available again.
const (
	heartbeatEvery   = 2 * time.Second
	replicaDeadAfter = 20 * time.Second
	// selfLease is how long a replica trusts its last heartbeat: comfortably less
	// than replicaDeadAfter, so it stops before anyone may take its jobs.
	selfLease   = 15 * time.Second
	rescueEvery = 2 * time.Second
	// completionWindow covers River's completer, which retries a failed write of a
	// job's result for up to ~37 s: until then a failed attempt is not run again,
	// or that late write could land on top of the next attempt.
	completionWindow = 38 * time.Second
	// confirmAfter: a success River has not confirmed this long after the job
	// returned is written by liveness (the same write, so a race is harmless).
	confirmAfter = 5 * time.Second
	// strandedAfter: a job fetched this long ago that no worker has is stranded.
	strandedAfter = 10 * time.Second
	// forgetReplicasAfter keeps dead replicas' rows long enough for River's own
	// rescue (job_rescue_after) to have handled anything left behind.
	forgetReplicasAfter = 24 * time.Hour
)

// liveness is River worker middleware (it knows which jobs this process works)
// and the loops that heartbeat and rescue.
type liveness struct {
	river.MiddlewareDefaults

	store *store.Store
	log   zerolog.Logger
	// heartbeats is true where several replicas share the database (PostgreSQL).
	heartbeats bool
	// exit ends the process (os.Exit outside tests).
	exit func(code int)

	replica string // River's client ID, set once the queue exists

	mu sync.Mutex
	// busy: the jobs being worked, or whose result River has not confirmed writing.
	busy      map[int64]attempt
	lastBeat  time.Time
	lapse     *time.Timer
	leaseLost sync.Once
}

func newLiveness(st *store.Store, log zerolog.Logger) *liveness {
	return &liveness{
		store: st, log: log, heartbeats: st.Kind() == store.KindPostgres, exit: os.Exit,
		busy: map[int64]attempt{},
	}
}

// attempt is what liveness knows of a job this process took.
type attempt struct {
	number   int
	returned time.Time // zero while the worker runs
	ok       bool      // the worker returned no error
}

// Work implements rivertype.WorkerMiddleware.
func (l *liveness) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	l.mu.Lock()
	l.busy[job.ID] = attempt{number: job.Attempt}
	l.mu.Unlock()
	err := doInner(ctx)
	if l.lapsed() {
		// Another replica may be running this job now: River must not write this
		// attempt's result over that one.
		l.lost("a job finished after the heartbeat lapsed")
	}
	l.mu.Lock()
	l.busy[job.ID] = attempt{number: job.Attempt, returned: time.Now(), ok: err == nil}
	l.mu.Unlock()
	return err
}

// confirm forgets the jobs whose results River wrote (its events come after the write).
func (l *liveness) confirm(events <-chan *river.Event) {
	for ev := range events {
		l.mu.Lock()
		if a, ok := l.busy[ev.Job.ID]; ok && a.number == ev.Job.Attempt && !a.returned.IsZero() {
			delete(l.busy, ev.Job.ID)
		}
		l.mu.Unlock()
	}
}

// start rescues what a dead predecessor left and, on PostgreSQL, registers this
// replica. Call it before the workers start.
func (l *liveness) start(ctx context.Context, replica string) error {
	l.replica = replica
	if !l.heartbeats {
		// The file lock makes this process the only one: every running job is orphaned.
		jobs, err := l.store.RescueJobs(ctx, store.Rescue{All: true})
		l.logRescued(jobs, "left running by the previous process")
		return err
	}
	begin := time.Now()
	if err := l.store.RegisterReplica(ctx, replica); err != nil {
		return err
	}
	l.mu.Lock()
	l.lastBeat = begin
	l.lapse = time.AfterFunc(selfLease, func() { l.lost("no heartbeat for " + selfLease.String()) })
	l.mu.Unlock()
	return nil
}

// run heartbeats and rescues until ctx ends.
func (l *liveness) run(ctx context.Context) {
	beat := time.NewTicker(heartbeatEvery)
	defer beat.Stop()
	rescue := time.NewTicker(rescueEvery)
	defer rescue.Stop()
	if !l.heartbeats {
		beat.Stop()
	}
	for {
		select {
		case <-ctx.Done():
			l.stop()
			return
		case <-beat.C:
			l.heartbeat(ctx)
		case <-rescue.C:
			l.rescue(ctx)
		}
	}
}

// stop ends the lease watch: the process is shutting down of its own accord.
func (l *liveness) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lapse != nil {
		l.lapse.Stop()
	}
}

func (l *liveness) heartbeat(ctx context.Context) {
	begin := time.Now()
	err := l.store.Heartbeat(ctx, l.replica, replicaDeadAfter)
	switch {
	case errors.Is(err, store.ErrReplicaLapsed):
		l.lost("the database says this replica's heartbeat lapsed")
	case err != nil:
		if ctx.Err() == nil {
			l.log.Warn().Err(err).Msg("heartbeat failed; this replica stops if it cannot heartbeat for " + selfLease.String())
		}
	default:
		l.mu.Lock()
		l.lastBeat = begin
		l.lapse.Reset(selfLease - time.Since(begin))
		l.mu.Unlock()
	}
}

func (l *liveness) rescue(ctx context.Context) {
	r := store.Rescue{Replica: l.replica, StrandedAfter: strandedAfter}
	if l.heartbeats {
		r.DeadAfter = replicaDeadAfter
	}
	var unconfirmed []store.JobAttempt
	l.mu.Lock()
	for id, a := range l.busy {
		switch {
		case a.returned.IsZero():
		case a.ok && time.Since(a.returned) > confirmAfter:
			unconfirmed = append(unconfirmed, store.JobAttempt{ID: id, Attempt: a.number})
		case time.Since(a.returned) > completionWindow:
			delete(l.busy, id) // River gave up writing the failure: rescue it below
			continue
		}
		r.Busy = append(r.Busy, id)
	}
	l.mu.Unlock()
	if n, err := l.store.CompleteJobs(ctx, l.replica, unconfirmed); err != nil {
		if ctx.Err() == nil {
			l.log.Warn().Err(err).Msg("completing jobs whose results River did not write failed; retrying")
		}
		return
	} else if n > 0 {
		l.log.Warn().Int64("jobs", n).Msg("completed jobs whose results River could not write while the database was away")
	}
	l.mu.Lock()
	for _, a := range unconfirmed {
		delete(l.busy, a.ID) // written now, by River or above
	}
	l.mu.Unlock()
	jobs, err := l.store.RescueJobs(ctx, r)
	if err != nil {
		if ctx.Err() == nil {
			l.log.Warn().Err(err).Msg("rescue of abandoned jobs failed; retrying")
		}
		return
	}
	l.logRescued(jobs, "abandoned by a stopped replica or by a lost completion write")
	if l.heartbeats {
		if err := l.store.ForgetReplicas(ctx, forgetReplicasAfter); err != nil && ctx.Err() == nil {
			l.log.Warn().Err(err).Msg("forget silent replicas")
		}
	}
}

func (l *liveness) logRescued(jobs []store.RescuedJob, why string) {
	for _, j := range jobs {
		ev := l.log.Warn()
		if j.Discarded {
			ev = l.log.Error().Bool("discarded", true)
		}
		ev.Int64("job_id", j.ID).Str("kind", j.Kind).Int("attempt", j.Attempt).Msg("job rescued: " + why)
	}
}

// fence stops every GitHub request of a replica whose heartbeat lapsed, whichever
// goroutine runs first when a frozen process wakes.
func (l *liveness) fence(*http.Request) error {
	if l.lapsed() {
		l.lost("a GitHub request was about to leave after the heartbeat lapsed")
		return errLapsed
	}
	return nil
}

var errLapsed = errors.New("this replica's heartbeat lapsed")

// lapsed reports whether this replica no longer trusts its heartbeat. It reads
// the clock, not a timer, so a replica woken from a freeze knows at once.
func (l *liveness) lapsed() bool {
	if !l.heartbeats {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.lastBeat.IsZero() && time.Since(l.lastBeat) > selfLease
}

// lost ends the process: its jobs are (or will be) rescued by another replica,
// and any further write to GitHub or to River could be done twice.
func (l *liveness) lost(why string) {
	l.leaseLost.Do(func() {
		l.log.Error().Str("replica", l.replica).Msg("replica stopped: " + why + "; other replicas take over its jobs, and a restart brings it back")
		l.exit(1)
	})
}
