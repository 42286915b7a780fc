# METADATA
# title: README explains the component
# description: |
#   The repository has a README (README.md, .rst, .adoc, .txt, .markdown or plain
#   README) at the root, in .github/ or in docs/ (where GitHub looks), and it says
#   more than a title: at least three lines of prose, or 200 characters of it.
#   Headings, badges, images, HTML tags and link definitions do not count.
# custom:
#   aspect: adoption
#   level: 1
#   severity: warning
#   applies_to: []
#   scope: component
#   reads: ["README*", "readme*", "Readme*", ".github/README*", "docs/README*"]
#   remediation: |
#     Write a README.md at the repository root that tells a newcomer what this is,
#     who owns it, and how to run, test and deploy it:
#
#     ```markdown
#     # {{repository}}
#
#     Card payments API used by checkout and the mobile apps. Owned by
#     @acme/payments-team (#payments on Slack).
#
#     ## Running locally
#     `make run` starts the service on :8080 with a local Postgres.
#
#     ## Testing
#     `make test` runs the unit tests; `make e2e` the contract tests.
#
#     ## Deploying
#     Merges to main deploy to staging; tag a release to go to production.
#     See the runbook in docs/runbook.md.
#     ```
package goldenpath.rules.docs.readme

import data.goldenpath.lib

readme_names := [
	"README.md", "README", "README.markdown", "README.rst", "README.adoc",
	"README.asciidoc", "README.txt", "readme.md", "Readme.md", "README.MD",
	"readme", "readme.txt", "readme.rst",
]

# GitHub's order: .github/, the root, then docs/.
candidates := [concat("", [dir, name]) | some dir in [".github/", "", "docs/"]; some name in readme_names]

readme := lib.first_existing(candidates)

min_lines := 3

min_line_chars := 80

min_chars := 200

# Lines that carry no prose: headings and their underlines, badges, images,
# bare HTML tags, link reference definitions, fences and rules.
non_prose := [
	`^\s{0,3}#{1,6}(\s|$)`, # Markdown ATX heading
	"^\\s*(={2,}|-{3,}|~{3,}|\\^{3,}|\"{3,}|'{3,}|\\*{3,}|\\+{3,}|#{3,}|:{3,}|\\.{3,}|`{3,}|_{3,}|<{3,}|>{3,})\\s*$", # setext/reST underline, rule
	`^\s*={1,6}\s`, # AsciiDoc title
	`^\s*(\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)|\[!\[[^\]]*\]\[[^\]]*\]\]\[[^\]]*\]|\s)+$`, # badges, images
	`^\s*(<[^>]+>\s*)+$`, # HTML tags only
	`^\s*\[[^\]]+\]:\s*\S+`, # link reference definition
	"^\\s*(```|~~~)", # code fence
	`^\s*\.\.\s`, # reST directive or comment
	`^\s*(image|link)::?\S`, # AsciiDoc image/link macro line
	`^\s*:[a-zA-Z0-9_-]+:`, # AsciiDoc attribute, reST field
]

# One alternation of all the patterns, compiled once and applied once per line.
non_prose_pattern := concat("|", [concat("", ["(?:", p, ")"]) | some p in non_prose])

# Only the first lines are looked at: enough to tell a README from a title, and
# bounded on very long files.
max_lines := 150

prose_lines(text) := [l |
	some raw in array.slice(split(text, "\n"), 0, max_lines)
	l := trim_space(raw)
	l != ""
	not regex.match(non_prose_pattern, raw)
]

prose := prose_lines(lib.content(readme))

prose_chars := sum([count(l) | some l in prose])

substantive if {
	count(prose) >= min_lines
	prose_chars >= min_line_chars
}

substantive if prose_chars >= min_chars

# A README we could not read (too large, over the read limit) is given the
# benefit of the doubt: presence is all we can tell.
substantive if lib.unread(readme)

deny contains {"message": msg, "files": []} if {
	count(lib.existing(candidates)) == 0
	msg := sprintf("no README in %s, its .github/ or its docs/", [where])
}

where := "the repository root" if lib.base == ""

else := sprintf("the component's directory %s", [trim_suffix(lib.base, "/")])

deny contains {"message": msg, "files": [{"path": readme, "line": 1}]} if {
	not substantive
	msg := sprintf(
		"%s:1: %s is little more than a title (%d lines, %d characters of prose; want %d lines or %d characters): say what the component does and how to run it",
		[readme, readme, count(prose), prose_chars, min_lines, min_chars],
	)
}

pass_message := sprintf("%s describes the component (%d lines of prose)", [readme, count(prose)]) if {
	substantive
	lib.content(readme)
}

pass_message := sprintf("%s is present (too large or not read, so its content was not checked)", [readme]) if lib.unread(readme)
