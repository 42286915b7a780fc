# METADATA
# title: CODEOWNERS assigns reviewers
# description: |
#   A CODEOWNERS file in .github/, the root or docs/ (the first one GitHub finds)
#   parses without errors and names at least one owner, so pull requests request
#   review from the owning team automatically.
# custom:
#   aspect: investment
#   level: 2
#   severity: warning
#   applies_to: []
#   scope: repository
#   reads: []
#   remediation: |
#     Add .github/CODEOWNERS with a catch-all rule for the owning team, and
#     narrower rules after it where other teams own parts:
#
#     ```
#     # Default owners for everything in the repository.
#     *                @acme/payments-team
#     # Infrastructure is co-owned by the platform team.
#     /infra/          @acme/payments-team @acme/platform-team
#     ```
#
#     Owners are `@user`, `@org/team` or e-mail addresses, and each team needs
#     write access to the repository, or GitHub ignores the line.
package goldenpath.rules.ownership.codeowners

import data.goldenpath.lib

co := input.codeowners if is_object(input.codeowners)

path := object.get(co, "path", ".github/CODEOWNERS")

rules := r if {
	r := co.rules
	is_array(r)
} else := []

errors := e if {
	e := co.errors
	is_array(e)
} else := []

owned := [r | some r in rules; count(object.get(r, "owners", [])) > 0]

owners := {o | some r in owned; some o in r.owners}

# Ownership files of other tools, which GitHub ignores.
look_alikes := lib.existing([
	"OWNERS", ".gitlab/CODEOWNERS", "CODEOWNERS.md", ".github/CODEOWNERS.md",
	".github/codeowners", "codeowners", "docs/codeowners",
])

look_alike_hint := sprintf(" (%s is not read by GitHub)", [concat(", ", look_alikes)]) if {
	count(look_alikes) > 0
} else := ""

deny contains {"message": msg, "files": [{"path": p, "line": 1} | some p in look_alikes]} if {
	not co
	msg := sprintf("no CODEOWNERS in .github/, the root or docs/%s", [look_alike_hint])
}

deny contains {"message": msg, "files": [{"path": path, "line": n}]} if {
	some err in errors
	n := object.get(err, "line", 1)
	msg := sprintf("%s:%d: %s", [path, n, err.message])
}

deny contains {"message": msg, "files": [{"path": path, "line": 1}]} if {
	co
	count(rules) == 0
	count(errors) == 0
	msg := sprintf("%s:1: %s is empty: it has no rules", [path, path])
}

deny contains {"message": msg, "files": [{"path": path, "line": n}]} if {
	count(rules) > 0
	count(owned) == 0
	n := rules[0].line
	msg := sprintf("%s:%d: %s has no rule that names an owner", [path, n, path])
}

catch_all if {
	some r in owned
	r.pattern in {"*", "/*", "**", "/**"}
}

coverage := "every file" if catch_all

else := "some paths"

pass_message := sprintf("%s assigns %s to %s (%d rules)", [path, concat(", ", sort(owners)), coverage, count(owned)]) if count(owned) > 0
