# METADATA
# title: Security policy tells reporters what to do
# description: |
#   A SECURITY.md in the root, .github/ or docs/ (where GitHub looks) says how to
#   report a vulnerability privately and which versions get fixes. An
#   organisation-wide SECURITY.md in the org's .github repository also shows on
#   GitHub but is not visible in this repository's snapshot: exempt the rule in
#   golden-path.yaml if that is your convention.
# custom:
#   aspect: operations
#   level: 2
#   severity: warning
#   applies_to: []
#   scope: repository
#   reads: []
#   remediation: |
#     Add SECURITY.md (root, .github/ or docs/):
#
#     ```markdown
#     # Security policy
#
#     ## Reporting a vulnerability
#     Do not open a public issue. Report it privately through
#     "Report a vulnerability" on the Security tab, or e-mail security@acme.com.
#     We acknowledge within 2 working days.
#
#     ## Supported versions
#     Only the latest release (the main branch) receives security fixes.
#     ```
package goldenpath.rules.security.policy

import data.goldenpath.lib

names := ["SECURITY.md", "security.md", "Security.md", "SECURITY.markdown", "SECURITY.rst", "SECURITY.adoc", "SECURITY.txt", "SECURITY"]

candidates := [concat("", [dir, name]) | some dir in ["", ".github/", "docs/"]; some name in names]

found := lib.existing(candidates)

deny contains {"message": msg, "files": [{"path": p, "line": 1} | some p in elsewhere]} if {
	count(found) == 0
	msg := concat("", ["no SECURITY.md in the root, .github/ or docs/", elsewhere_hint])
}

# A security policy one directory down, where GitHub does not look (deeper ones
# are usually vendored code or templates).
elsewhere := [p |
	some n in ["SECURITY.md", "security.md"]
	some p in lib.named(n)
	count(split(p, "/")) == 2
	not p in candidates
]

elsewhere_hint := sprintf(" (%s is not where GitHub looks)", [concat(", ", elsewhere)]) if count(elsewhere) > 0

else := ""

pass_message := sprintf("security policy in %s", [found[0]]) if count(found) > 0
