// Package server is the composition root of `goldenpath serve`: it builds the store,
// the queue, GitHub access, the workers and the HTTP routes once, and runs them.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/githubclient"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/jobs"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/serverconfig"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/webhook"
)

// maxWebhookBytes bounds a delivery: GitHub caps payloads at 25 MB.
const maxWebhookBytes = 25 << 20

// bufferedWebhookBytes bounds the webhook bodies held at once: a few of the largest
// deliveries, well within the Helm chart's 1 GiB memory limit whatever arrives.
const bufferedWebhookBytes = 4 * maxWebhookBytes

// redeliveryInterval is how often failed webhook deliveries are looked for.
const redeliveryInterval = 10 * time.Minute

// Options are knobs tests turn; production uses the zero value.
type Options struct {
	// PollInterval is how often workers look for new jobs (SQLite cannot notify).
	PollInterval time.Duration
	// RetryBase is the first retry delay; later ones double up to ten minutes.
	RetryBase time.Duration
	// Now replaces the clock of evaluations.
	Now func() time.Time
	// NoStartupSweep skips the sweep of every installation at start-up.
	NoStartupSweep bool
	// NoStartupRedelivery skips the redelivery of failed webhooks at start-up.
	NoStartupRedelivery bool
	// Version and Commit name the build in goldenpath_build_info.
	Version, Commit string
}

// Server is a running Golden Path app.
type Server struct {
	cfg     *serverconfig.Server
	log     zerolog.Logger
	store   *store.Store
	queue   store.Queue
	metrics *metrics.Metrics
	http    *http.Server

	jobs     *jobs.Services
	liveness *liveness
	writes   writeProbe // rate-limits the readiness write probe
}

// New builds the app from its configuration: it opens (and migrates) the database,
// compiles the bundled rules and wires GitHub access, workers and routes.
func New(ctx context.Context, cfg *serverconfig.Server, log zerolog.Logger, opts Options) (*Server, error) {
	if opts.RetryBase == 0 {
		opts.RetryBase = 5 * time.Second
	}
	m := metrics.New()
	m.SetBuildInfo(cmp.Or(opts.Version, "dev"), cmp.Or(opts.Commit, "unknown"))
	st, err := store.Open(ctx, cfg.Database.URL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if opts.PollInterval == 0 {
		// PostgreSQL wakes workers on insert (LISTEN/NOTIFY), but River limits its
		// notifications, so a poll still catches some jobs. SQLite cannot notify: a
		// poll of the local file every 100 ms is cheap and keeps a pull request's
		// wait for a worker short.
		opts.PollInterval = 250 * time.Millisecond
		if st.Kind() == store.KindSQLite {
			opts.PollInterval = 100 * time.Millisecond
		}
	}
	limits := policies.DefaultLimits()
	limits.EvalTimeout = 2 * time.Minute // GitHub reads happen inside the evaluation
	// The bundled rules compile here, once: every evaluation without custom rules
	// uses this engine.
	evaluations := evaluation.New(limits, opts.Now)
	if _, err := evaluations.Engine(ctx, nil); err != nil {
		st.Close()
		return nil, fmt.Errorf("compile bundled rules: %w", err)
	}
	live := newLiveness(st, log)
	gh, err := githubclient.New(cfg.GitHub, githubclient.Options{
		UserAgent: "goldenpath", Timeout: 30 * time.Second, Blobs: st, Metrics: m, CacheEntries: 2000,
		Fence: live.fence,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("GitHub client: %w", err)
	}
	services := jobs.New(jobs.Deps{
		GitHub: gh, Store: st, Metrics: m, Now: opts.Now, Evaluations: evaluations,
		Settings: jobs.Settings{
			CheckName: cfg.GoldenPath.CheckName, ConfigRepo: cfg.GoldenPath.ConfigRepo,
			ConfigPath: cfg.GoldenPath.ConfigPath, Limits: limits, PublicURL: cfg.HTTP.PublicURL,
			WebURL: cfg.GitHub.WebURL, RequestBudget: cfg.GoldenPath.RepositoryRequestBudget,
		},
	})
	workers := river.NewWorkers()
	jobs.Register(workers, services)
	queue, err := st.NewQueue(&river.Config{
		// live: the replica's liveness. WorkMiddleware: every job's context names its
		// kind, so GitHub requests are counted per kind and a sweep's stop at the
		// rate-limit reserve.
		Middleware: []rivertype.Middleware{live, &jobs.WorkMiddleware{}},
		Queues: map[string]river.QueueConfig{
			jobargs.QueuePulls:   {MaxWorkers: cfg.GoldenPath.Workers},
			jobargs.QueueDefault: {MaxWorkers: max(1, cfg.GoldenPath.Workers/2)},
		},
		Workers:           workers,
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     min(opts.PollInterval, 100*time.Millisecond),
		RetryPolicy:       &retryPolicy{base: opts.RetryBase},
		// The leader alone runs periodic jobs: one sweep per interval per cluster.
		// RunOnStart repairs whatever was missed while no replica ran.
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(cfg.GoldenPath.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return jobargs.SweepAllArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: !opts.NoStartupSweep},
		), river.NewPeriodicJob(
			// Deliveries GitHub could not make while no replica answered.
			river.PeriodicInterval(redeliveryInterval),
			func() (river.JobArgs, *river.InsertOpts) { return jobargs.RedeliverArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: !opts.NoStartupRedelivery},
		)},
		Logger: slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn})),
		// River's own rescue is the backstop behind liveness, which finds dead
		// processes in seconds. A job is cut off before River could take it for abandoned.
		JobTimeout:           min(10*time.Minute, cfg.GoldenPath.JobRescueAfter),
		RescueStuckJobsAfter: cfg.GoldenPath.JobRescueAfter,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	s := &Server{cfg: cfg, log: log, store: st, queue: queue, metrics: m, jobs: services, liveness: live}
	hook := &webhook.Handler{Store: st, ConfigRepo: cfg.GoldenPath.ConfigRepo}
	mux := http.NewServeMux()
	mux.Handle("POST /api/github/hook", webhook.Dispatcher(hook, cfg.GitHub.App.WebhookSecret, webhook.Limits{MaxBody: maxWebhookBytes, Buffered: bufferedWebhookBytes}, m))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.Handle("GET /api/v1/", apiHandler(st, services.Reports, cfg.HTTP.APIToken))
	s.http = &http.Server{
		Handler:           withLogger(mux, log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
	}
	return s, nil
}

// Run serves until ctx is cancelled, then shuts down gracefully: it stops taking
// webhooks, lets running jobs finish (or returns them to the queue after a grace
// period), and closes the database.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	if err := s.liveness.start(ctx, s.queue.ID()); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	if err := s.queue.Start(ctx); err != nil {
		s.liveness.stop()
		return fmt.Errorf("start workers: %w", err)
	}
	// Heartbeats go on while running jobs finish during shutdown.
	liveCtx, stopLiveness := context.WithCancel(context.WithoutCancel(ctx))
	livenessDone := make(chan struct{})
	go func() { s.liveness.run(liveCtx); close(livenessDone) }()
	events, unsubscribe := s.queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobSnoozed, river.EventKindJobCancelled)
	defer unsubscribe()
	go s.liveness.confirm(events)
	go s.watchQueue(ctx)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	s.log.Info().Str("address", ln.Addr().String()).Str("database", s.store.Kind()).Msg("serving")
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = s.http.Shutdown(shutdown)
	if err := s.queue.Stop(shutdown); err != nil {
		// Jobs still running after the grace period go back to the queue.
		_ = s.queue.StopAndCancel(context.Background())
	}
	stopLiveness()
	<-livenessDone
	s.store.Close()
	s.log.Info().Msg("stopped")
	if errors.Is(serveErr, http.ErrServerClosed) {
		return nil
	}
	return serveErr
}

// ListenAndRun listens on the configured address and runs.
func (s *Server) ListenAndRun(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.HTTP.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.HTTP.Addr(), err)
	}
	return s.Run(ctx, ln)
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{})
}

// watchQueue samples the queue's depth and age, where sweeps stand, and the jobs
// waiting for a rate limit, for /metrics.
func (s *Server) watchQueue(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if n, age, err := s.store.QueueStats(ctx); err == nil {
			s.metrics.QueueAvailable.Set(float64(n))
			s.metrics.QueueOldestAge.Set(age.Seconds())
		}
		s.sampleSweeps(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sampleSweeps sets the sweep gauges from the store, so that every replica
// reports every organisation's last completed sweep, restarts included.
func (s *Server) sampleSweeps(ctx context.Context) {
	now := time.Now()
	if statuses, err := s.store.SweepStatuses(ctx, now.Add(-jobs.ResumeWindow)); err == nil {
		for _, st := range statuses {
			if !st.LastCompleted.IsZero() {
				s.metrics.SweepCompleted.WithLabelValues(st.Owner).Set(float64(st.LastCompleted.Unix()))
			}
			s.metrics.SweepPending.WithLabelValues(st.Owner).Set(float64(st.Pending))
		}
	}
	waits := s.jobs.Waits.Count(now)
	s.metrics.RateLimitWaits.Reset()
	for _, kind := range jobs.Kinds() {
		s.metrics.RateLimitWaits.WithLabelValues(kind).Set(float64(waits[kind]))
	}
}

func withLogger(h http.Handler, log zerolog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(log.WithContext(r.Context())))
	})
}

// retryPolicy backs off exponentially with jitter: base, 2×base, … up to ten
// minutes. River's default (attempt⁴ seconds) waits hours by the eighth attempt.
type retryPolicy struct{ base time.Duration }

func (p *retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	d := p.base << min(max(job.Attempt-1, 0), 10)
	d = min(d, 10*time.Minute)
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	return time.Now().Add(d)
}
