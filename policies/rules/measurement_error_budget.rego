# METADATA
# title: SLOs alert on the error budget
# description: |
#   Maturity model, Measurement level 4 (Quantitative and qualitative): an
#   insight "drives the build team to set and adhere to a Service Level Objective
#   (SLO), which enables early identification and improvement", and "Metrics and
#   telemetry gathered is continuously evaluated for true insight and value." A
#   repository shows an SLO that is acted on when it alerts on the burn of its
#   error budget: a Sloth SLO with page or ticket alerts, a Pyrra
#   ServiceLevelObjective (Pyrra generates multi-window burn-rate alerts), an
#   OpenSLO AlertPolicy, or Prometheus rules on error-budget burn rates. Only the
#   SLO files measurement.slo reads are looked at, outside example and test trees.
# custom:
#   aspect: measurement
#   level: 4
#   severity: info
#   applies_to: [service]
#   scope: component
#   reads: ["**/*[sS][lL][oO]*.yaml", "**/*[sS][lL][oO]*.yml", "slos/**/*.yaml", "slos/**/*.yml", ".slo/**/*.yaml", ".slo/**/*.yml", "**/*[bB][uU][rR][nN]*.yaml", "**/*[bB][uU][dD][gG][eE][tT]*.yaml"]
#   remediation: |
#     Give each SLO burn-rate alerts, for example in a Sloth spec:
#
#     ```yaml
#     version: prometheus/v1
#     service: payments-api
#     slos:
#       - name: requests-availability
#         objective: 99.9
#         sli:
#           events:
#             error_query: sum(rate(http_requests_total{service="payments-api",code=~"5.."}[{{.window}}]))
#             total_query: sum(rate(http_requests_total{service="payments-api"}[{{.window}}]))
#         alerting:
#           name: PaymentsAPIHighErrorRate
#           page_alert:
#             labels: {severity: page}
#           ticket_alert:
#             labels: {severity: ticket}
#     ```
#
#     then generate the Prometheus rules with `sloth generate`.
package goldenpath.rules.measurement.error_budget

import data.goldenpath.lib

# [how, pattern that must match the file]
signals := [
	["Sloth alerting", `(?m)^\s*(page_alert|ticket_alert)\s*:`],
	["Pyrra", `(?m)^apiVersion:\s*["']?pyrra\.dev/v1alpha1`],
	["OpenSLO AlertPolicy", `(?m)^kind:\s*["']?(AlertPolicy|AlertCondition)["']?\s*$`],
	["burn-rate alert", `(?i)(error[_ ]?budget[_a-z]*burn|burn[_ ]?rate|slo:sli_error:ratio_rate)`],
]

found contains [p, how, n] if {
	some p in array.concat([x | some x in lib.read_files], [x | some x in lib.shared_paths; input.files[x]])
	regex.match(`(?i)((slo|burn|budget)[^/]*|(^|/)(slos|\.slo)/.*)\.ya?ml$`, p)
	text := lib.content(p)
	some [how, pattern] in signals
	regex.match(pattern, text)
	n := lib.line_or(text, pattern, 1)
}

deny contains {"message": msg, "files": []} if {
	count(found) == 0
	msg := "no alerting on the error budget: no Sloth page_alert/ticket_alert, Pyrra SLO, OpenSLO AlertPolicy or burn-rate alerting rule in the SLO files"
}

pass_message := sprintf("error-budget alerts: %s", [concat(", ", sort({sprintf("%s:%d (%s)", [p, n, how]) | some [p, how, n] in found}))]) if count(found) > 0
