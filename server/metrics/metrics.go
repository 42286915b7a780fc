// Package metrics holds the app's Prometheus collectors, registered on one registry
// that /metrics serves.
package metrics

import (
	"runtime"

	opaversion "github.com/open-policy-agent/opa/v1/version"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the collectors the server, jobs and GitHub client update. Names are
// part of the operator contract (alerts in deploy/ use them). Label values come
// from bounded sets only (job kinds, installations, organisations the app is
// installed on), never from a request.
type Metrics struct {
	Registry *prometheus.Registry

	Deliveries          *prometheus.CounterVec   // event, status
	Jobs                *prometheus.CounterVec   // kind, outcome
	JobWait             *prometheus.HistogramVec // kind: from insert to start
	QueueAvailable      prometheus.Gauge
	QueueOldestAge      prometheus.Gauge
	GitHubRequests      *prometheus.CounterVec // method, status
	GitHubRateRemaining *prometheus.GaugeVec   // installation
	GitHubRateLimit     *prometheus.GaugeVec   // installation
	GitHubRateReset     *prometheus.GaugeVec   // installation: unix time of the window's end
	GitHubWorkRequests  *prometheus.CounterVec // installation, kind: requests sent per job kind
	GitHubReserveHeld   *prometheus.CounterVec // installation: sweep requests refused at the reserve
	Evaluation          prometheus.Histogram
	// RepositoryRequests is the GitHub requests one repository's evaluation in a
	// sweep cost.
	RepositoryRequests prometheus.Histogram
	SweepCompleted     *prometheus.GaugeVec // org: unix time of the last completed sweep
	SweepPending       *prometheus.GaugeVec // org: repositories the running sweep has still to judge
	RateLimitWaits     *prometheus.GaugeVec // kind: jobs waiting for an installation's rate limit
	BuildInfo          *prometheus.GaugeVec // version, commit, go_version, opa_version
}

// New creates the collectors on a fresh registry, with Go and process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "goldenpath_webhook_deliveries_total",
			Help: "Webhook deliveries by event and HTTP status answered.",
		}, []string{"event", "status"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "goldenpath_jobs_total",
			Help: "Jobs worked by kind and outcome (completed, retried, snoozed, cancelled, failed).",
		}, []string{"kind", "outcome"}),
		JobWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "goldenpath_job_wait_seconds",
			Help:    "Time a job waited in the queue before a worker took it.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}, []string{"kind"}),
		QueueAvailable: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "goldenpath_queue_available_jobs",
			Help: "Jobs waiting for a worker.",
		}),
		QueueOldestAge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "goldenpath_queue_oldest_job_age_seconds",
			Help: "Age of the oldest job waiting for a worker.",
		}),
		GitHubRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "goldenpath_github_requests_total",
			Help: "GitHub API requests by method and HTTP status (304 = served from cache).",
		}, []string{"method", "status"}),
		GitHubRateRemaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "goldenpath_github_rate_limit_remaining",
			Help: "Requests left in the installation's current rate-limit window.",
		}, []string{"installation"}),
		GitHubRateLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "goldenpath_github_rate_limit_limit",
			Help: "Size of the installation's rate-limit window.",
		}, []string{"installation"}),
		GitHubRateReset: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "goldenpath_github_rate_limit_reset_timestamp_seconds",
			Help: "When the installation's current rate-limit window ends (unix time).",
		}, []string{"installation"}),
		GitHubWorkRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "goldenpath_github_installation_requests_total",
			Help: "GitHub API requests sent, by installation and by the job kind they were for (none outside jobs).",
		}, []string{"installation", "kind"}),
		GitHubReserveHeld: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "goldenpath_github_reserve_held_requests_total",
			Help: "Sweep requests not sent because the installation's budget was down to the reserve kept for pull requests.",
		}, []string{"installation"}),
		RepositoryRequests: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "goldenpath_sweep_repository_requests",
			Help:    "GitHub requests one repository's evaluation cost in a sweep.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}),
		SweepCompleted: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "goldenpath_sweep_last_completed_timestamp_seconds",
			Help: "When the organisation's last sweep completed (unix time).",
		}, []string{"org"}),
		SweepPending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "goldenpath_sweep_repositories_pending",
			Help: "Repositories the organisation's unfinished sweep has still to evaluate (0 when none runs).",
		}, []string{"org"}),
		RateLimitWaits: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "goldenpath_jobs_rate_limited",
			Help: "Jobs snoozed until an installation's rate limit resets, by kind (sweeps: organisations whose sweep waits).",
		}, []string{"kind"}),
		BuildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "goldenpath_build_info",
			Help: "Always 1; the labels say which build runs.",
		}, []string{"version", "commit", "go_version", "opa_version"}),
		Evaluation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "goldenpath_evaluation_duration_seconds",
			Help:    "Time to evaluate one repository snapshot, GitHub reads included.",
			Buckets: prometheus.ExponentialBuckets(0.005, 3, 10),
		}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.Deliveries, m.Jobs, m.JobWait, m.QueueAvailable, m.QueueOldestAge,
		m.GitHubRequests, m.GitHubRateRemaining, m.GitHubRateLimit, m.Evaluation,
		m.GitHubRateReset, m.GitHubWorkRequests, m.GitHubReserveHeld, m.RepositoryRequests,
		m.SweepCompleted, m.SweepPending, m.RateLimitWaits, m.BuildInfo,
	)
	return m
}

// SetBuildInfo records which build runs: version and commit as the binary was
// built, with the Go and OPA versions it was built with.
func (m *Metrics) SetBuildInfo(version, commit string) {
	m.BuildInfo.Reset()
	m.BuildInfo.WithLabelValues(version, commit, runtime.Version(), opaversion.Version).Set(1)
}
