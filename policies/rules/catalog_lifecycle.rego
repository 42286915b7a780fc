# METADATA
# title: Component declares a well-known lifecycle
# description: |
#   spec.lifecycle of every Component and API in catalog-info.yaml is one of
#   Backstage's well-known values (experimental, production, deprecated), so the
#   catalog can tell what is supported, what is a trial and what is being retired.
# custom:
#   aspect: investment
#   level: 2
#   severity: warning
#   applies_to: []
#   scope: component
#   reads: []
#   remediation: |
#     Set `spec.lifecycle` to one of Backstage's well-known values:
#
#     ```yaml
#     spec:
#       lifecycle: production   # experimental | production | deprecated
#     ```
#
#     `experimental` for early, non-production work; `production` for
#     established, owned and maintained components; `deprecated` for components
#     at the end of their life that new work should not depend on.
package goldenpath.rules.catalog.lifecycle

import data.goldenpath.lib

skip := "no catalog-info.yaml at the repository root (catalog.present reports that)" if not lib.has_catalog

skip := "catalog-info.yaml declares no Component or API" if {
	lib.has_catalog
	count(checked) == 0
}

well_known := ["experimental", "production", "deprecated"]

checked := [ent | some ent in lib.entities; lib.kind_of(ent) in {"Component", "API"}]

name(ent) := object.get(lib.metadata(ent), "name", "(unnamed)")

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	some ent in checked
	not "lifecycle" in object.keys(lib.spec(ent))
	n := lib.line_of(ent, "spec.lifecycle")
	msg := sprintf("%s:%d: %s %s has no spec.lifecycle (use experimental, production or deprecated)", [ent.path, n, ent.entity.kind, name(ent)])
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	some ent in checked
	v := lib.spec(ent).lifecycle
	not v in well_known
	n := lib.line_of(ent, "spec.lifecycle")
	msg := sprintf("%s:%d: spec.lifecycle %s of %s %s is not one of experimental, production, deprecated", [ent.path, n, json.marshal(v), ent.entity.kind, name(ent)])
}

pass_message := concat("; ", [sprintf("%s %s is %s", [ent.entity.kind, name(ent), lib.spec(ent).lifecycle]) | some ent in checked]) if count(checked) > 0
