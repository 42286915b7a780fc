# METADATA
# title: Changes are published as versioned releases with notes
# description: |
#   Maturity model, Investment level 3 (As product): investment in a capability is
#   "similar to investment in an enterprise's outbound products", and "The team
#   publicizes a roadmap internally to the organization, which indicates the value
#   delivered and high level feature targets." A repository shows the value it
#   delivers release by release with a changelog (CHANGELOG, CHANGES, HISTORY,
#   NEWS or RELEASE_NOTES, a changelog/ or .changeset/ directory) or release
#   tooling that writes the notes (release-please, semantic-release,
#   GoReleaser, git-cliff, release-plz, changie, chart-releaser, GitHub's
#   .github/release.yml), or a ROADMAP. A documentation site or a website is
#   published, not released in versions, so the rule does not apply to them.
# custom:
#   aspect: investment
#   level: 3
#   severity: info
#   applies_to: [service, library, infrastructure, template]
#   scope: component
#   reads: []
#   remediation: |
#     Keep a CHANGELOG.md next to the code (https://keepachangelog.com):
#
#     ```markdown
#     # Changelog
#
#     ## [1.4.0] - 2026-11-30
#     ### Added
#     - Refunds can be partial.
#     ### Removed
#     - The v1 /charge endpoint (deprecated since 1.1.0).
#     ```
#
#     or let release tooling write it from conventional commits, e.g.
#     release-please (`release-please-config.json`) or semantic-release
#     (`.releaserc`), and publish each version as a GitHub release.
package goldenpath.rules.releases.changelog

import data.goldenpath.lib

changelog_names := [
	"CHANGELOG.md", "CHANGELOG", "CHANGELOG.rst", "CHANGELOG.txt", "CHANGELOG.adoc", "changelog.md", "Changelog.md",
	"CHANGES.md", "CHANGES", "CHANGES.rst", "CHANGES.txt", "HISTORY.md", "HISTORY.rst", "NEWS.md", "NEWS",
	"RELEASE_NOTES.md", "RELEASE-NOTES.md", "RELEASE_NOTES.txt", "RELEASE-NOTES.txt", "RELEASE-NOTES", "RELEASES.md",
	"docs/CHANGELOG.md", "docs/changelog.md",
	"src/changes/changes.xml", # Maven's changes plugin (commons-lang)
]

tooling := [
	["release-please", ["release-please-config.json", ".release-please-manifest.json"]],
	["semantic-release", [".releaserc", ".releaserc.json", ".releaserc.yaml", ".releaserc.yml", "release.config.js", "release.config.cjs"]],
	["GoReleaser", [".goreleaser.yml", ".goreleaser.yaml"]],
	["git-cliff", ["cliff.toml"]],
	["GitHub release notes", [".github/release.yml", ".github/release.yaml"]],
	["Release Drafter", [".github/release-drafter.yml"]],
	["release-plz", ["release-plz.toml", ".release-plz.toml"]],
	["changie", [".changie.yaml", ".changie.yml"]],
	["chart-releaser", ["cr.yaml", ".github/cr.yaml", ".github/configs/cr.yaml"]],
]

roadmaps := ["ROADMAP.md", "ROADMAP", "docs/ROADMAP.md", "docs/roadmap.md"]

# Every tool's files, looked up at once before tool by tool: a rule of a
# monorepo runs once per component, and most components have none.
tooling_files := [f | some [_, files] in tooling; some f in files]

evidence contains p if {
	some p in lib.existing(changelog_names)
}

evidence contains concat("", [d, "/"]) if {
	some d in lib.existing_dirs(["changelog", "changelogs", ".changeset", "changes", "docs/changelog", "release-notes", "releasenotes", "newsfragments", ".changes"])
}

evidence contains sprintf("%s (%s)", [tool, found[0]]) if {
	count(lib.existing(tooling_files)) > 0
	some [tool, files] in tooling
	found := lib.existing(files)
	count(found) > 0
}

evidence contains sprintf("roadmap %s", [p]) if {
	some p in lib.existing(roadmaps)
}

# Release tooling at the root releases every package of the repository
# (release-please's manifest lists them, changesets and semantic-release run
# from the workspace root): it counts for a component below the root too. A
# root CHANGELOG does not: it is the root project's.
evidence contains sprintf("%s at the root (%s)", [tool, found[0]]) if {
	lib.base != ""
	count(lib.at_root(tooling_files)) > 0
	some [tool, files] in tooling
	found := lib.at_root(files)
	count(found) > 0
}

evidence contains "changesets at the root (.changeset/)" if {
	lib.base != ""
	goldenpath.existing(lib.all_dirs, [".changeset"], "") != []
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := "no release notes: no CHANGELOG.md (or CHANGES, HISTORY, NEWS, RELEASE_NOTES), no changelog/ or .changeset/ directory, no release tooling (release-please, semantic-release, GoReleaser, git-cliff, release-plz, changie, chart-releaser, .github/release.yml) and no ROADMAP"
}

pass_message := sprintf("release notes: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
