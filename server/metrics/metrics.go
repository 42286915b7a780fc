// Package metrics holds the app's Prometheus collectors, registered on one registry
// that /metrics serves.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the collectors the server, jobs and GitHub client update. Names are
// part of the operator contract (alerts in deploy/ use them).
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
	Evaluation          prometheus.Histogram
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
	)
	return m
}
