# METADATA
# title: Component belongs to a system, and the system to a domain
# description: |
#   Every Component in catalog-info.yaml sets spec.system, and every System entity
#   in the file sets spec.domain, so the catalog shows how components group into
#   products and business domains instead of a flat list of repositories.
# custom:
#   aspect: adoption
#   level: 3
#   severity: warning
#   applies_to: []
#   scope: component
#   reads: []
#   remediation: |
#     Point the Component at its System, and the System at its Domain:
#
#     ```yaml
#     spec:
#       type: service
#       lifecycle: production
#       owner: group:payments-team
#       system: payments
#     ```
#
#     and, where the System is declared (here or in a shared catalog repository):
#
#     ```yaml
#     apiVersion: backstage.io/v1alpha1
#     kind: System
#     metadata:
#       name: payments
#     spec:
#       owner: group:payments-team
#       domain: commerce
#     ```
package goldenpath.rules.catalog.system

import data.goldenpath.lib

skip := "no catalog-info.yaml at the repository root (catalog.present reports that)" if not lib.has_catalog

skip := "catalog-info.yaml declares no Component or System" if {
	lib.has_catalog
	count(checked) == 0
}

# The spec field each kind needs.
requirement := {"Component": "system", "System": "domain"}

checked := [ent | some ent in lib.entities; requirement[lib.kind_of(ent)]]

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	some ent in checked
	field := requirement[ent.entity.kind]
	not lib.non_empty_string(object.get(lib.spec(ent), field, null))
	n := lib.line_of(ent, concat(".", ["spec", field]))
	msg := sprintf("%s:%d: %s %s has no spec.%s: it belongs to no %s", [
		ent.path, n, ent.entity.kind,
		object.get(lib.metadata(ent), "name", "(unnamed)"), field, field,
	])
}

pass_message := concat("; ", [sprintf("%s %s is part of %s %s", [
	ent.entity.kind, object.get(lib.metadata(ent), "name", "(unnamed)"),
	requirement[ent.entity.kind], lib.spec(ent)[requirement[ent.entity.kind]],
]) |
	some ent in checked
]) if count(checked) > 0
