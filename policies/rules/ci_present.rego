# METADATA
# title: Changes are built and tested by CI
# description: |
#   The repository has a continuous-integration configuration: GitHub Actions
#   workflows (.github/workflows/*.yml|yaml), GitLab CI, Jenkins, CircleCI, Travis,
#   Azure Pipelines, Bitbucket Pipelines, Buildkite, Drone, Tekton, Woodpecker,
#   AppVeyor, Google Cloud Build, Gitea/Forgejo Actions or Semaphore.
# custom:
#   aspect: operations
#   level: 1
#   severity: error
#   applies_to: []
#   scope: repository
#   reads: [".github/workflows/*.yml", ".github/workflows/*.yaml"]
#   remediation: |
#     Add a workflow that builds and tests every pull request, for example
#     .github/workflows/ci.yml:
#
#     ```yaml
#     name: CI
#     on:
#       pull_request:
#       push:
#         branches: [main]
#     permissions:
#       contents: read
#     jobs:
#       test:
#         runs-on: ubuntu-latest
#         steps:
#           - uses: actions/checkout@v4
#           - run: make test
#     ```
#
#     Better still, call your platform's reusable workflow
#     (`uses: acme/workflows/.github/workflows/service-ci.yml@v2`).
package goldenpath.rules.ci.present

import data.goldenpath.lib

# [system, files that configure it]
by_file := [
	["GitLab CI", [".gitlab-ci.yml", ".gitlab-ci.yaml"]],
	["Jenkins", ["Jenkinsfile"]],
	["CircleCI", [".circleci/config.yml", ".circleci/config.yaml"]],
	["Travis CI", [".travis.yml"]],
	["Azure Pipelines", ["azure-pipelines.yml", "azure-pipelines.yaml", ".azure-pipelines.yml"]],
	["Bitbucket Pipelines", ["bitbucket-pipelines.yml"]],
	["Drone", [".drone.yml", ".drone.yaml"]],
	["Woodpecker", [".woodpecker.yml", ".woodpecker.yaml"]],
	["AppVeyor", ["appveyor.yml", ".appveyor.yml"]],
	["Google Cloud Build", ["cloudbuild.yaml", "cloudbuild.yml", "cloudbuild.json"]],
	["Semaphore", [".semaphore/semaphore.yml"]],
	["Codefresh", ["codefresh.yml"]],
]

# [system, directory of pipeline definitions]
by_dir := [
	["Buildkite", ".buildkite"],
	["Tekton", ".tekton"],
	["Woodpecker", ".woodpecker"],
	["Azure Pipelines", ".azure-pipelines"],
	["Gitea Actions", ".gitea/workflows"],
	["Forgejo Actions", ".forgejo/workflows"],
]

evidence contains [system, found[0]] if {
	some [system, files] in by_file
	found := lib.existing(files)
	count(found) > 0
}

evidence contains [system, concat("", [d, "/"])] if {
	some [system, d] in by_dir
	lib.dir_exists(d)
}

# GitHub only runs YAML files directly inside .github/workflows/. The reads
# globs list exactly those in input.files (read or not), so this looks at a
# handful of entries instead of every YAML file in the repository.
workflows := sort([p |
	some p, _ in input.files
	regex.match(`^\.github/workflows/[^/]+\.ya?ml$`, p)
])

evidence contains ["GitHub Actions", sprintf(".github/workflows/: %d workflows", [count(workflows)])] if {
	count(workflows) > 0
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := concat("", [
		"no CI configuration: no GitHub Actions workflow in .github/workflows/, and no GitLab CI, Jenkinsfile, CircleCI, Travis, Azure Pipelines, Bitbucket, Buildkite, Drone, Tekton, Woodpecker, AppVeyor or Cloud Build file",
		workflows_hint,
	])
}

workflows_hint := " (.github/workflows/ holds no .yml or .yaml file at its top level)" if {
	lib.dir_exists(".github/workflows")
} else := ""

pass_message := sprintf("CI: %s", [concat(", ", [sprintf("%s (%s)", [s, p]) | some [s, p] in evidence])]) if count(evidence) > 0
