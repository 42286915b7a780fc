package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// writeProbeEvery is how long a successful write probe stands for readiness: the
// probe rewrites a row, and kubelet asks every few seconds on every replica.
const writeProbeEvery = 5 * time.Second

// ready answers /readyz: 200 only while the database answers and accepts writes,
// since a webhook that cannot be queued is answered 500.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	// The database driver does not always give up at the deadline (a SQLite lock
	// held elsewhere is waited out for busy_timeout): the answer does not wait.
	result := make(chan error, 1)
	go func() {
		err := s.store.Ping(ctx)
		if err == nil {
			err = s.writes.check(ctx, s.store.Writable)
		}
		result <- err
	}()
	var err error
	select {
	case err = <-result:
	case <-ctx.Done():
		err = fmt.Errorf("no answer within 2 s: %w", ctx.Err())
	}
	if err != nil {
		http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
	// Not a reason to take the replica out of service, but the operator should see it.
	for org, problem := range s.jobs.Reports.Problems() {
		fmt.Fprintf(w, "report of %s: %s\n", org, problem)
	}
}

// writeProbe rate-limits the write probe: a success is trusted for
// writeProbeEvery, a failure is probed again at the next request so that
// readiness returns as soon as writes do.
type writeProbe struct {
	mu     sync.Mutex
	passed time.Time
}

func (p *writeProbe) check(ctx context.Context, probe func(context.Context) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.passed) < writeProbeEvery {
		return nil
	}
	if err := probe(ctx); err != nil {
		return err
	}
	p.passed = time.Now()
	return nil
}
