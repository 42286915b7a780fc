# METADATA
# title: Service defines SLOs as code
# description: |
#   The repository holds at least one service-level objective as code: an OpenSLO
#   document (apiVersion openslo/v1 or openslo/v1alpha, kind SLO) or a Sloth spec
#   (apiVersion sloth.slok.dev/v1 PrometheusServiceLevel, or version prometheus/v1
#   with slos), also Pyrra, Google slo-generator and Nobl9 SLOs. Only YAML files
#   whose name contains "slo" or that sit under slos/ or .slo/ are read.
# custom:
#   aspect: measurement
#   level: 3
#   severity: info
#   applies_to: [service]
#   scope: component
#   reads: ["**/*[sS][lL][oO]*.yaml", "**/*[sS][lL][oO]*.yml", "slos/**/*.yaml", "slos/**/*.yml", ".slo/**/*.yaml", ".slo/**/*.yml"]
#   remediation: |
#     Add slos/availability.yaml (OpenSLO v1):
#
#     ```yaml
#     apiVersion: openslo/v1
#     kind: SLO
#     metadata:
#       name: {{repository}}-availability
#     spec:
#       service: {{repository}}
#       description: 99.9% of card payment requests succeed
#       budgetingMethod: Occurrences
#       timeWindow:
#         - duration: 28d
#           isRolling: true
#       indicator:
#         metadata:
#           name: {{repository}}-success-ratio
#         spec:
#           ratioMetric:
#             counter: true
#             good:
#               metricSource:
#                 type: Prometheus
#                 spec:
#                   query: sum(rate(http_requests_total{service="{{repository}}",code!~"5.."}[5m]))
#             total:
#               metricSource:
#                 type: Prometheus
#                 spec:
#                   query: sum(rate(http_requests_total{service="{{repository}}"}[5m]))
#       objectives:
#         - displayName: Availability
#           target: 0.999
#     ```
#
#     or the equivalent Sloth spec (`version: prometheus/v1`, `service`, `slos`).
package goldenpath.rules.measurement.slo

import data.goldenpath.lib

# [format, apiVersion line, second line that must be in the same document]
formats := [
	["OpenSLO", `^apiVersion:\s*["']?(openslo/v1|openslo/v1alpha|openslo\.com/v2alpha)["']?\s*(#.*)?$`, `(?m)^kind:\s*["']?SLO["']?\s*(#.*)?$`],
	["Sloth", `^apiVersion:\s*["']?sloth\.slok\.dev/v1["']?\s*(#.*)?$`, `(?m)^kind:\s*["']?PrometheusServiceLevel["']?\s*(#.*)?$`],
	["Sloth", `^(version|apiVersion):\s*["']?(prometheus/v1|sloth/v1)["']?\s*(#.*)?$`, `(?m)^slos:`],
	["Pyrra", `^apiVersion:\s*["']?pyrra\.dev/v1alpha1["']?\s*(#.*)?$`, `(?m)^kind:\s*["']?ServiceLevelObjective["']?\s*(#.*)?$`],
	["slo-generator", `^apiVersion:\s*["']?sre\.google\.com/v2["']?\s*(#.*)?$`, `(?m)^kind:\s*["']?ServiceLevelObjective["']?\s*(#.*)?$`],
	["Nobl9", `^apiVersion:\s*["']?n9/v1alpha["']?\s*(#.*)?$`, `(?m)^kind:\s*["']?SLO["']?\s*(#.*)?$`],
]

# Files read for this rule (other rules' reads share input.files).
candidates contains p if {
	some p in lib.read_files
	candidate(trim_prefix(p, lib.base))
}

# A monorepo's shared SLO files named for the component (slos/payments.yaml).
candidates contains p if {
	some p in lib.shared_paths
	input.files[p]
	candidate(p)
}

candidate(p) if regex.match(`(?i)slo[^/]*\.ya?ml$`, p)

candidate(p) if regex.match(`(^|/)(slos|\.slo)/.*\.ya?ml$`, p)

found contains [p, format, n] if {
	some p in candidates
	text := lib.content(p)
	some doc in regex.split(`(?m)^---.*$`, text)
	some [format, api, second] in formats
	regex.match(concat("", ["(?m)", api]), doc)
	regex.match(second, doc)
	n := lib.first_line_matching(text, api)
}

unread := sort([p | some p in candidates; lib.unread(p)])

read := sort([p | some p in candidates; lib.content(p)])

deny contains {"message": msg, "files": []} if {
	count(found) == 0
	count(candidates) == 0
	msg := "no SLO definitions: no OpenSLO or Sloth YAML (files named *slo*.yaml or under slos/)"
}

deny contains {"message": msg, "files": [{"path": p, "line": 1} | some p in array.slice(read, 0, 10)]} if {
	count(found) == 0
	count(read) > 0
	msg := sprintf("no SLO definitions: %d candidate file(s) (%s) hold no OpenSLO (apiVersion openslo/v1, kind SLO) or Sloth document", [count(read), concat(", ", array.slice(read, 0, 5))])
}

deny contains {"message": msg, "files": [{"path": p, "line": 1} | some p in array.slice(unread, 0, 10)]} if {
	count(found) == 0
	count(read) == 0
	count(unread) > 0
	msg := sprintf("no SLO definitions found: %d candidate file(s) (%s) could not be read", [count(unread), concat(", ", array.slice(unread, 0, 5))])
}

pass_message := sprintf("SLOs as code: %s", [concat(", ", sort({sprintf("%s:%d (%s)", [p, n, f]) | some [p, f, n] in found}))]) if count(found) > 0
