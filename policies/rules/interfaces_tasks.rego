# METADATA
# title: Building, testing and running are written down as tasks
# description: |
#   Maturity model, Interfaces level 1 (Provisional, "Custom processes"):
#   "Knowledge of how to request these solutions is shared from person to
#   person", and "Product teams each maintain their own set of scripts or tools
#   to deploy their applications." The first rung is that such a process exists
#   in the repository rather than in someone's head: a task runner (Makefile,
#   Taskfile, justfile, mage, Rake, nox/tox), a build tool whose tasks everyone
#   knows (npm/yarn scripts, Maven, Gradle, Cargo, Go modules, dotnet, Poetry,
#   Bundler, Composer, Mix), a runner that starts or deploys it (Skaffold,
#   Tilt, Docker Compose, the Azure Developer CLI, Pulumi, Devbox) or scripts in
#   scripts/, script/ or bin/.
# custom:
#   aspect: interfaces
#   level: 1
#   severity: info
#   applies_to: [service, website, library]
#   scope: component
#   reads: []
#   remediation: |
#     Write the component's everyday tasks down where anyone can run them, for
#     example a Makefile:
#
#     ```make
#     .PHONY: build test run
#     build:
#     	go build ./...
#     test:
#     	go test ./...
#     run:
#     	go run ./cmd/server
#     ```
package goldenpath.rules.interfaces.tasks

import data.goldenpath.lib

task_files := [
	["task runner", ["Makefile", "makefile", "GNUmakefile", "Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "justfile", "Justfile", ".justfile", "magefile.go", "Rakefile", "noxfile.py", "tox.ini", "Earthfile", "build.cake", "cake.cs", "build.ps1", "build.sh"]],
	["build tool", ["package.json", "pom.xml", "mvnw", "build.gradle", "build.gradle.kts", "gradlew", "Cargo.toml", "go.mod", "pyproject.toml", "setup.py", "Gemfile", "composer.json", "mix.exs", "build.sbt", "deno.json", "pubspec.yaml", "Package.swift", "CMakeLists.txt", "meson.build", "BUILD.bazel", "WORKSPACE", "MODULE.bazel"]],
	["local and deploy runner", ["skaffold.yaml", "Tiltfile", "azure.yaml", "docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml", "Pulumi.yaml", "devbox.json"]],
]

# Every kind's files, looked up at once before kind by kind: a rule of a
# monorepo runs once per component.
all_task_files := [f | some [_, files] in task_files; some f in files]

evidence contains sprintf("%s %s", [kind, found[0]]) if {
	count(lib.existing(all_task_files)) > 0
	some [kind, files] in task_files
	found := lib.existing(files)
	count(found) > 0
}

# .NET projects are named after themselves.
evidence contains sprintf("build tool %s", [p]) if {
	some p in lib.with_ext_in([".sln", ".slnx", ".csproj", ".fsproj"])
	count(split(trim_prefix(p, lib.base), "/")) == 1
}

# A scripts directory at the top of the component.
evidence contains sprintf("scripts in %s/", [d]) if {
	some d in lib.existing_dirs(["scripts", "script", "bin", "hack", "tools"])
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := sprintf("no written-down tasks in %s: no Makefile, Taskfile or justfile, no build tool manifest, no scripts/ directory", [where])
}

where := "the repository" if lib.base == ""

else := trim_suffix(lib.base, "/")

pass_message := sprintf("tasks written down: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
