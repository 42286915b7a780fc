# METADATA
# title: Component names its owning team
# description: |
#   The Component in catalog-info.yaml (or, when there is none, the first entity
#   of a kind that has an owner: API, Resource, System, Domain, Template) has
#   spec.owner set to a real team, so incidents, reviews and questions reach
#   someone.
# custom:
#   aspect: investment
#   level: 1
#   severity: error
#   applies_to: []
#   scope: component
#   reads: []
#   remediation: |
#     Set `spec.owner` to the owning team's Group entity, for example:
#
#     ```yaml
#     spec:
#       owner: group:default/payments-team
#     ```
#
#     Use a team rather than a person, and never the scaffolder defaults
#     (`user:guest`, `unknown`).
package goldenpath.rules.catalog.owner

import data.goldenpath.lib

skip := "no catalog-info.yaml at the repository root (catalog.present reports that)" if not lib.has_catalog

skip := "catalog-info.yaml holds no entity that could be read (catalog.valid reports why)" if {
	lib.has_catalog
	count(lib.entities) == 0
}

skip := sprintf("catalog-info.yaml declares no entity that has an owner (only %s)", [concat(", ", sort({lib.kind_of(e) | some e in lib.entities}))]) if {
	count(lib.entities) > 0
	count(owned_kinds) == 0
}

# Kinds whose spec has an owner; Location, User and Group do not.
owner_kinds := ["Component", "API", "Resource", "System", "Domain", "Template"]

owned_kinds := [e | some e in lib.entities; lib.kind_of(e) in owner_kinds]

ent := lib.main_entity if lib.kind_of(lib.main_entity) == "Component"

ent := owned_kinds[0] if count(lib.components) == 0

label := sprintf("%s %s", [lib.kind_of(ent), object.get(lib.metadata(ent), "name", "(unnamed)")])

owner := lib.spec(ent).owner

has_owner if lib.non_empty_string(owner)

# Values that scaffolder defaults and copy-pasted examples leave behind.
placeholders := {
	"guest", "user:guest", "user:default/guest", "unknown", "tbd", "todo", "none",
	"n/a", "na", "changeme", "owner", "team", "me",
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	not has_owner
	n := lib.line_of(ent, "spec.owner")
	msg := sprintf("%s:%d: %s has no spec.owner", [ent.path, n, label])
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	has_owner
	lower(trim_space(owner)) in placeholders
	n := lib.line_of(ent, "spec.owner")
	msg := sprintf("%s:%d: spec.owner %q of %s is a placeholder, not a team", [ent.path, n, owner, label])
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	has_owner
	contains(owner, "${{")
	n := lib.line_of(ent, "spec.owner")
	msg := sprintf("%s:%d: spec.owner %q of %s is an unrendered template value", [ent.path, n, owner, label])
}

pass_message := sprintf("%s is owned by %s", [label, owner]) if has_owner
