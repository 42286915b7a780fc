# METADATA
# title: Dependencies are locked
# description: |
#   Every package manifest at the repository root has its lockfile committed, so
#   builds are reproducible and dependency updates arrive as reviewable diffs:
#   package.json (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock),
#   go.mod with requirements (go.sum), Cargo.toml, Pipfile, pyproject.toml
#   (poetry.lock, uv.lock, pdm.lock, pylock.toml or a pinned requirements.txt),
#   Gemfile, composer.json, mix.exs, pubspec.yaml and Package.swift.
# custom:
#   aspect: operations
#   level: 1
#   severity: warning
#   applies_to: [service, website]
#   scope: component
#   reads: ["go.mod", "package.json"]
#   remediation: |
#     Generate the lockfile with your package manager and commit it:
#
#     ```sh
#     npm install            # package-lock.json (or yarn install / pnpm install)
#     go mod tidy            # go.sum
#     cargo generate-lockfile
#     uv lock                # uv.lock (or poetry lock)
#     bundle lock            # Gemfile.lock
#     ```
#
#     Make sure the lockfile is not listed in .gitignore, and have CI install
#     from it (`npm ci`, `go mod download`, `uv sync --locked`).
package goldenpath.rules.deps.lockfile

import data.goldenpath.lib

# [manifest, lockfiles that satisfy it, command that creates one]
ecosystems := [
	["package.json", ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"], "npm install"],
	["go.mod", ["go.sum"], "go mod tidy"],
	["Cargo.toml", ["Cargo.lock"], "cargo generate-lockfile"],
	["Pipfile", ["Pipfile.lock"], "pipenv lock"],
	["pyproject.toml", ["poetry.lock", "uv.lock", "pdm.lock", "pylock.toml", "Pipfile.lock", "requirements.txt"], "uv lock"],
	["Gemfile", ["Gemfile.lock"], "bundle lock"],
	["composer.json", ["composer.lock"], "composer update --lock"],
	["mix.exs", ["mix.lock"], "mix deps.get"],
	["pubspec.yaml", ["pubspec.lock"], "dart pub get"],
	["Package.swift", ["Package.resolved"], "swift package resolve"],
]

# The manifests are looked up at once: a rule of a monorepo runs once per
# component.
manifests := [m | some [m, _, _] in ecosystems]

found_manifests := {p | some p in lib.existing(manifests)}

present := [[m, locks, cmd] |
	count(found_manifests) > 0
	some [m, locks, cmd] in ecosystems
	found_manifests[lib.path(m)]
]

# A manifest that declares nothing to lock needs no lockfile. Only go.mod and
# package.json are read; the others are assumed to have dependencies.
nothing_to_lock("go.mod") if {
	text := lib.content(lib.path("go.mod"))
	not regex.match(`(?m)^\s*require\b`, text)
}

nothing_to_lock("package.json") if {
	text := lib.content(lib.path("package.json"))
	not regex.match(`"(dependencies|devDependencies|optionalDependencies|peerDependencies)"\s*:\s*\{\s*"`, text)
}

# Ecosystems whose workspaces keep one lockfile at the workspace root for every
# package below it: npm/yarn/pnpm/bun workspaces, Cargo workspaces, uv
# workspaces, Mix umbrella apps, Dart pub workspaces. A Go module, a Gemfile or
# a composer.json keeps its own.
workspaces := {"package.json", "Cargo.toml", "pyproject.toml", "mix.exs", "pubspec.yaml"}

# locked(m, locks) is the lockfiles that lock manifest m: next to it, or for a
# workspace ecosystem in a directory above the component.
locked(m, locks) := array.concat(lib.existing(locks), [p |
	m in workspaces
	set := lib.all_paths
	some dir in lib.above
	some p in goldenpath.existing(set, locks, dir)
])

checked := [[m, locks, cmd] | some [m, locks, cmd] in present; not nothing_to_lock(m)]

skip := "no package manifest at the repository root (package.json, go.mod, Cargo.toml, pyproject.toml, Gemfile, ...)" if count(present) == 0

deny contains {"message": msg, "files": [{"path": lib.path(m), "line": 1}]} if {
	some [m, locks, cmd] in checked
	count(locked(m, locks)) == 0
	msg := sprintf("%s has no committed lockfile (%s): run `%s` and commit the result", [lib.path(m), concat(" or ", locks), cmd])
}

pass_message := sprintf("dependencies locked: %s", [concat(", ", [sprintf("%s by %s", [lib.path(m), locked(m, locks)[0]]) |
	some [m, locks, _] in checked
	count(locked(m, locks)) > 0
])]) if count(checked) > 0

pass_message := "the root manifests declare no dependencies to lock" if {
	count(present) > 0
	count(checked) == 0
}
