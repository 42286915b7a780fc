# METADATA
# title: A contribution guide invites others in
# description: |
#   Maturity model, Adoption level 4 (Participatory): "Users in app/service teams
#   are empowered to contribute fixes, features, and feedback for platform
#   capabilities" and "Documents and checklists enable self-driven development by
#   contributors." A repository shows it with a contribution guide
#   (CONTRIBUTING.md, .rst, .adoc or .txt in the root, .github/ or docs/, where
#   GitHub looks) or a pull request template with a checklist for contributors.
# custom:
#   aspect: adoption
#   level: 4
#   severity: info
#   applies_to: []
#   scope: repository
#   reads: []
#   remediation: |
#     Add CONTRIBUTING.md (root, .github/ or docs/) that lets someone outside the
#     owning team contribute without a meeting:
#
#     ```markdown
#     # Contributing
#
#     ## Getting set up
#     `make dev` starts everything locally; `make test` runs the checks CI runs.
#
#     ## Proposing a change
#     Open an issue first for anything larger than a fix. Keep pull requests
#     small, add tests, and describe the user-visible change in CHANGELOG.md.
#
#     ## Review
#     The owning team (see CODEOWNERS) reviews within two working days.
#     ```
package goldenpath.rules.adoption.contributing

import data.goldenpath.lib

names := ["CONTRIBUTING.md", "CONTRIBUTING.rst", "CONTRIBUTING.adoc", "CONTRIBUTING.txt", "CONTRIBUTING", "contributing.md", "Contributing.md"]

guides := lib.existing([concat("", [dir, n]) | some dir in ["", ".github/", "docs/"]; some n in names])

templates := lib.existing([
	".github/pull_request_template.md", ".github/PULL_REQUEST_TEMPLATE.md",
	"pull_request_template.md", "PULL_REQUEST_TEMPLATE.md", "docs/pull_request_template.md",
])

deny contains {"message": msg, "files": []} if {
	count(guides) == 0
	count(templates) == 0
	msg := "no contribution guide: no CONTRIBUTING.md in the root, .github/ or docs/, and no pull request template"
}

pass_message := sprintf("contribution guide in %s", [guides[0]]) if count(guides) > 0

pass_message := sprintf("pull request template %s guides contributors (no CONTRIBUTING.md)", [templates[0]]) if {
	count(guides) == 0
	count(templates) > 0
}
