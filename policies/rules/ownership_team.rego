# METADATA
# title: A team, not a person, owns the component
# description: |
#   Maturity model, Investment level 2 (Operationalized, "Dedicated team"):
#   "Budget and people are allocated for persistent people and resource
#   support." A component owned by one person is still a side effort of Level 1
#   ("Voluntary or temporary"); a repository shows a dedicated team when the
#   component's catalog spec.owner is a Group (a bare name or group:..., which is
#   Backstage's default kind for owners) rather than a user:, or, without a
#   catalog owner, when CODEOWNERS names an @org/team.
# custom:
#   aspect: investment
#   level: 2
#   severity: warning
#   applies_to: []
#   scope: component
#   reads: []
#   remediation: |
#     Give the component to a team. In catalog-info.yaml:
#
#     ```yaml
#     spec:
#       owner: group:default/payments-team
#     ```
#
#     and in .github/CODEOWNERS:
#
#     ```
#     *  @acme/payments-team
#     ```
package goldenpath.rules.ownership.team

import data.goldenpath.lib

ent := lib.main_entity if lib.kind_of(lib.main_entity) == "Component"

owner := o if {
	o := trim_space(lib.spec(ent).owner)
	lib.non_empty_string(o)
}

# Backstage reads an owner reference without a kind as a Group.
person if startswith(lower(owner), "user:")

co_rules := r if {
	r := input.codeowners.rules
	is_array(r)
} else := []

# owner_teams are the @org/team owners CODEOWNERS names, with the line of the
# first rule that names each.
owner_teams[t] := min({n |
	some r in co_rules
	some o in r.owners
	o == t
	n := r.line
}) if {
	some r in co_rules
	some t in r.owners
	regex.match(`^@[^/\s]+/[^/\s]+$`, t)
}

co_path := object.get(input.codeowners, "path", ".github/CODEOWNERS")

skip := "neither a catalog spec.owner nor a CODEOWNERS owner (catalog.owner and ownership.codeowners report that)" if {
	not owner
	count(co_rules) == 0
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	person
	n := lib.line_of(ent, "spec.owner")
	msg := sprintf("%s:%d: spec.owner %q is a person; give the component to a team (group:...)", [ent.path, n, owner])
}

deny contains {"message": msg, "files": [{"path": co_path, "line": 1}]} if {
	not owner
	count(co_rules) > 0
	count(owner_teams) == 0
	msg := sprintf("%s names people or e-mail addresses, no @org/team, and there is no catalog spec.owner", [co_path])
}

pass_message := sprintf("owned by the team %s (spec.owner)", [owner]) if {
	owner
	not person
}

else := sprintf("owned by the team %s (%s:%d)", [t, co_path, owner_teams[t]]) if {
	t := sort(object.keys(owner_teams))[0]
}

else := "owned by a team"
