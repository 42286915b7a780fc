# METADATA
# title: Service has dashboards, metrics or alerts
# description: |
#   There is evidence the service is observed: a catalog annotation of a metrics
#   or dashboard plugin (Prometheus, Grafana, Datadog, New Relic, Dynatrace), a
#   catalog link of type dashboard, a dashboards/, monitoring/, alerts/ or grafana/
#   directory at any depth, or Prometheus Operator files (ServiceMonitor,
#   PodMonitor, PrometheusRule) and alerting-rule files. Files under example,
#   test, fixture and vendored trees do not count.
# custom:
#   aspect: measurement
#   level: 2
#   severity: warning
#   applies_to: [service, website]
#   scope: component
#   reads: []
#   remediation: |
#     Show the service's dashboards in the catalog, for example with Grafana:
#
#     ```yaml
#     metadata:
#       annotations:
#         grafana/dashboard-selector: "tags @> '{{repository}}'"
#         prometheus.io/rule: 'sum(rate(http_requests_total{service="{{repository}}"}[5m])) by (code)'
#       links:
#         - url: https://grafana.acme.com/d/{{repository}}
#           title: Dashboard
#           type: dashboard
#     ```
#
#     and keep alerting rules and dashboards as code under monitoring/
#     (for example a PrometheusRule and a dashboard JSON).
package goldenpath.rules.measurement.observability

import data.goldenpath.lib

annotation_keys := {
	"prometheus.io/rule", "prometheus.io/alert", "prometheus.io/service-name",
	"grafana/dashboard-selector", "grafana/tag-selector", "grafana/overview-dashboard", "grafana/alert-label-selector",
	"datadoghq.com/dashboard-url", "datadoghq.com/graph-token", "datadoghq.com/service-name",
	"newrelic.com/dashboard-guid", "newrelic.com/entity-guid",
	"dynatrace.com/dynatrace-entity-id", "signalfx.com/dashboard-url",
}

link_types := {"dashboard", "dashboards", "metrics", "monitoring", "grafana", "observability"}

# Directory names that hold dashboards or alerting rules, at any depth
# (services/api/monitoring/), outside example and test trees.
dirs := {"dashboards", "grafana-dashboards", "monitoring", "alerts", "alerting", "grafana", "observability", "prometheus"}

names := [
	"servicemonitor.yaml", "servicemonitor.yml", "service-monitor.yaml", "podmonitor.yaml",
	"prometheusrule.yaml", "prometheusrules.yaml", "prometheus-rules.yaml", "prometheus-rules.yml",
	"alerts.yaml", "alerts.yml", "alert.rules.yml", "alert.rules.yaml", "alerting-rules.yaml",
	"recording-rules.yaml", "service.datadog.yaml", "otel-collector-config.yaml",
]

evidence contains sprintf("annotation %s", [k]) if {
	some ent in lib.entities
	some k, v in lib.annotations(ent)
	k in annotation_keys
	lib.non_empty_string(v)
}

evidence contains sprintf("%s link %s", [lower(l.type), l.url]) if {
	some ent in lib.entities
	some l in lib.links(ent)
	is_object(l)
	is_string(l.type)
	lower(l.type) in link_types
	is_string(l.url)
}

evidence contains concat("", [d, "/"]) if {
	some d in lib.dirs_named(dirs)
}

# All names are looked up at once before name by name: a rule of a monorepo
# runs once per component, and most components have none of them.
evidence contains p if {
	count(lib.named_in(names)) > 0
	some n in names
	p := lib.named(n)[0]
}

# A monorepo's shared dashboards and alerts, named for the component
# (dashboards/payments.json, monitoring/payments/alerts.yaml).
evidence contains p if {
	lib.shared_paths != []
	p := array.concat(lib.shared_under(dirs), lib.shared_named(names))[0]
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := "no observability: no metrics or dashboard annotation in the catalog (grafana/dashboard-selector, prometheus.io/rule, datadoghq.com/dashboard-url, ...), no dashboard link, no dashboards/, monitoring/ or alerts/ directory, and no ServiceMonitor or alerting rules"
}

pass_message := sprintf("observability: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
