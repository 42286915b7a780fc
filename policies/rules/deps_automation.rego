# METADATA
# title: Dependency updates are automated
# description: |
#   Dependabot version updates (.github/dependabot.yml or .yaml; on GitLab
#   mirrors dependabot-gitlab's .gitlab/dependabot.yml) or Renovate
#   (renovate.json, renovate.json5, .renovaterc, .renovaterc.json(5), or
#   renovate.json(5) in .github/ or .gitlab/) keep dependencies current. A
#   dependabot.yml must be version 2 and list at least one ecosystem with a
#   directory and a schedule, or Dependabot does nothing.
# custom:
#   aspect: operations
#   level: 2
#   severity: warning
#   applies_to: []
#   scope: repository
#   reads: [".github/dependabot.yml", ".github/dependabot.yaml", ".gitlab/dependabot.yml", ".gitlab/dependabot.yaml"]
#   remediation: |
#     Add .github/dependabot.yml with one entry per package ecosystem you use:
#
#     ```yaml
#     version: 2
#     updates:
#       - package-ecosystem: gomod        # npm, pip, maven, docker, ...
#         directory: /
#         schedule:
#           interval: weekly
#         groups:
#           minor-and-patch:
#             update-types: [minor, patch]
#       - package-ecosystem: github-actions
#         directory: /
#         schedule:
#           interval: weekly
#     ```
#
#     or, with Renovate, a renovate.json: `{"extends": ["config:recommended"]}`.
package goldenpath.rules.deps.automation

import data.goldenpath.lib

renovate_files := [
	"renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
	".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
]

# .gitlab/dependabot.yml is dependabot-gitlab's, in Dependabot's own format.
dependabot := lib.first_existing([".github/dependabot.yml", ".github/dependabot.yaml", ".gitlab/dependabot.yml", ".gitlab/dependabot.yaml"])

renovate := lib.first_existing(renovate_files)

text := lib.content(dependabot)

# The parsed file, when it is a YAML mapping.
config := c if {
	yaml.is_valid(text)
	c := yaml.unmarshal(text)
	is_object(c)
}

updates := u if {
	u := config.updates
	is_array(u)
} else := []

problem contains [1, "is not valid YAML"] if {
	text
	not yaml.is_valid(text)
}

problem contains [1, "is not a YAML mapping"] if {
	yaml.is_valid(text)
	not config
}

problem contains [n, sprintf("version is %s, want 2", [json.marshal(object.get(config, "version", null))])] if {
	config
	not object.get(config, "version", null) in {2, "2"}
	n := lib.line_or(text, `^version\s*:`, 1)
}

problem contains [n, "lists no updates, so Dependabot opens no pull requests"] if {
	config
	count(updates) == 0
	n := lib.line_or(text, `^updates\s*:`, 1)
}

problem contains [n, sprintf("updates[%d] %s", [i, what])] if {
	some i, u in updates
	some what in entry_problems(u)
	n := lib.line_or(text, `^updates\s*:`, 1)
}

entry_problems(u) := {"is not a mapping"} if not is_object(u)

entry_problems(u) := {p |
	some p in ["has no package-ecosystem", "has no directory or directories", "has no schedule.interval"]
	not entry_ok(u, p)
} if is_object(u)

entry_ok(u, "has no package-ecosystem") if lib.non_empty_string(object.get(u, "package-ecosystem", null))

entry_ok(u, "has no directory or directories") if lib.non_empty_string(object.get(u, "directory", null))

entry_ok(u, "has no directory or directories") if {
	dirs := object.get(u, "directories", [])
	is_array(dirs)
	count(dirs) > 0
}

entry_ok(u, "has no schedule.interval") if {
	schedule := object.get(u, "schedule", {})
	is_object(schedule)
	lib.non_empty_string(object.get(schedule, "interval", null))
}

deny contains {"message": msg, "files": []} if {
	not dependabot
	not renovate
	msg := "no dependency update automation: no .github/dependabot.yml and no Renovate configuration (renovate.json, .renovaterc, .github/renovate.json)"
}

deny contains {"message": msg, "files": [{"path": dependabot, "line": n}]} if {
	not renovate
	some [n, what] in problem
	msg := sprintf("%s:%d: %s %s", [dependabot, n, dependabot, what])
}

ecosystems := {e | some u in updates; e := u["package-ecosystem"]; is_string(e)}

pass_message := sprintf("Renovate is configured (%s)", [renovate]) if renovate

pass_message := sprintf("Dependabot updates %s (%s)", [concat(", ", sort(ecosystems)), dependabot]) if {
	not renovate
	count(problem) == 0
	count(ecosystems) > 0
}

pass_message := sprintf("Dependabot is configured (%s, not read)", [dependabot]) if {
	not renovate
	lib.unread(dependabot)
}
