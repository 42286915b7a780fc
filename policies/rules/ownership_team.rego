# METADATA
# title: A team, not a person, owns the component
# description: |
#   Maturity model, Investment level 2 (Operationalized, "Dedicated team"):
#   "Budget and people are allocated for persistent people and resource
#   support." A component owned by one person is still a side effort of Level 1
#   ("Voluntary or temporary"); a repository shows a dedicated team when the
#   component's catalog spec.owner is a Group (a bare name or group:..., which is
#   Backstage's default kind for owners) rather than a user:, or, without a
#   catalog owner, when the CODEOWNERS rule covering the component's directory
#   names an @org/team.
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

# co_rule is the CODEOWNERS rule GitHub applies to the component's files: a
# team named for another directory does not own this one.
co_rule := input.component.codeowners if is_object(input.component.codeowners)

co_teams := [o | some o in co_rule.owners; regex.match(`^@[^/\s]+/[^/\s]+$`, o)]

co_path := object.get(input.codeowners, "path", ".github/CODEOWNERS")

dir := "the repository root" if object.get(input.component, "path", ".") == "."

else := input.component.path

skip := "neither a catalog spec.owner nor a CODEOWNERS owner (catalog.owner and ownership.codeowners report that)" if {
	not owner
	count(co_rules) == 0
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	person
	n := lib.line_of(ent, "spec.owner")
	msg := sprintf("%s:%d: spec.owner %q is a person; give the component to a team (group:...)", [ent.path, n, owner])
}

deny contains {"message": msg, "files": [{"path": co_path, "line": co_rule.line}]} if {
	not owner
	count(co_teams) == 0
	msg := sprintf("%s:%d: the rule %s covering %s names people or e-mail addresses (%s), no @org/team, and there is no catalog spec.owner", [co_path, co_rule.line, co_rule.pattern, dir, concat(" ", co_rule.owners)])
}

deny contains {"message": msg, "files": [{"path": co_path, "line": 1}]} if {
	not owner
	count(co_rules) > 0
	not co_rule
	msg := sprintf("no rule of %s covers %s, and there is no catalog spec.owner", [co_path, dir])
}

pass_message := sprintf("owned by the team %s (spec.owner)", [owner]) if {
	owner
	not person
}

else := sprintf("owned by the team %s (%s:%d)", [co_teams[0], co_path, co_rule.line]) if {
	count(co_teams) > 0
}

else := "owned by a team"
