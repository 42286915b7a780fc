# METADATA
# title: Service is connected to an on-call rotation
# description: |
#   catalog-info.yaml links the component to the rotation that gets paged:
#   PagerDuty (pagerduty.com/integration-key or pagerduty.com/service-id),
#   Opsgenie (opsgenie.com/component-selector or opsgenie.com/team) or
#   Splunk On-Call (splunk.com/on-call-routing-key or splunk.com/on-call-team).
# custom:
#   aspect: operations
#   level: 2
#   severity: warning
#   applies_to: [service, website]
#   scope: component
#   reads: []
#   remediation: |
#     Annotate the Component in catalog-info.yaml (create the file if there is
#     none) with its on-call service, for example for PagerDuty:
#
#     ```yaml
#     metadata:
#       annotations:
#         pagerduty.com/service-id: PABC123
#     ```
#
#     or for Opsgenie:
#
#     ```yaml
#     metadata:
#       annotations:
#         opsgenie.com/team: payments-team
#         opsgenie.com/component-selector: 'tag:"service:{{repository}}"'
#     ```
package goldenpath.rules.operations.oncall

import data.goldenpath.lib

keys := [
	"pagerduty.com/integration-key", "pagerduty.com/service-id",
	"opsgenie.com/component-selector", "opsgenie.com/team",
	"splunk.com/on-call-routing-key", "splunk.com/on-call-team",
]

# [entity, key] for every on-call annotation, set or empty.
annotated contains [ent, k] if {
	some ent in lib.entities
	some k in keys
	lib.annotations(ent)[k]
}

set contains [ent, k] if {
	some [ent, k] in annotated
	lib.non_empty_string(lib.annotations(ent)[k])
}

deny contains {"message": msg, "files": []} if {
	not lib.has_catalog
	msg := "no catalog-info.yaml, which is where the on-call annotation (pagerduty.com/service-id, opsgenie.com/team, ...) lives"
}

deny contains {"message": msg, "files": [{"path": lib.catalog_path, "line": n}]} if {
	lib.has_catalog
	count(set) == 0
	count(annotated) == 0
	ent := lib.main_entity
	n := lib.line_of(ent, "metadata.annotations")
	msg := sprintf("%s:%d: no on-call annotation (PagerDuty, Opsgenie or Splunk On-Call) on %s %s", [
		lib.catalog_path, n, lib.kind_of(ent), object.get(lib.metadata(ent), "name", "(unnamed)"),
	])
}

deny contains {"message": msg, "files": []} if {
	lib.has_catalog
	count(lib.entities) == 0
	msg := sprintf("%s holds no entity that could be read, so there is no on-call annotation", [lib.catalog_path])
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	count(set) == 0
	some [ent, k] in annotated
	n := lib.line_of(ent, concat(".", ["metadata.annotations", k]))
	msg := sprintf("%s:%d: annotation %s is empty", [ent.path, n, k])
}

pass_message := sprintf("on-call: %s", [concat(", ", sort({sprintf("%s: %s", [k, lib.annotations(ent)[k]]) | some [ent, k] in set}))]) if count(set) > 0
