# METADATA
# title: The development environment is provided as code
# description: |
#   Maturity model, Interfaces level 4 (Integrated services): "Platform
#   capabilities are transparently integrated into the tools and processes that
#   teams already use", and "others benefit from integration into where the user
#   is writing code in their editors and IDEs." A repository shows it with a
#   development environment an editor or cloud IDE starts by itself: a Dev
#   Container (.devcontainer/devcontainer.json, .devcontainer.json, or
#   .devcontainer/<name>/devcontainer.json), Gitpod (.gitpod.yml), Devbox
#   (devbox.json) or Coder/Daytona configuration.
# custom:
#   aspect: interfaces
#   level: 4
#   severity: info
#   applies_to: []
#   scope: repository
#   reads: []
#   remediation: |
#     Add .devcontainer/devcontainer.json so Codespaces, VS Code and JetBrains
#     open the repository with the right tools, ideally from your platform's
#     shared image:
#
#     ```json
#     {
#       "name": "payments-api",
#       "image": "ghcr.io/acme/devcontainers/go:1",
#       "features": {"ghcr.io/devcontainers/features/docker-in-docker:2": {}},
#       "postCreateCommand": "make deps"
#     }
#     ```
package goldenpath.rules.interfaces.dev_environment

import data.goldenpath.lib

by_file := [
	["Dev Container", [".devcontainer/devcontainer.json", ".devcontainer.json"]],
	["Gitpod", [".gitpod.yml", ".gitpod.yaml"]],
	["Devbox", ["devbox.json"]],
	["Daytona", [".daytona.yaml"]],
	["Coder", [".coder/coder.yaml"]],
]

evidence contains sprintf("%s (%s)", [tool, found[0]]) if {
	some [tool, files] in by_file
	found := lib.existing(files)
	count(found) > 0
}

# Several configurations side by side: .devcontainer/<name>/devcontainer.json.
evidence contains sprintf("Dev Container (%s)", [p]) if {
	p := sort([x |
		some x in lib.named("devcontainer.json")
		regex.match(`^\.devcontainer/[^/]+/devcontainer\.json$`, x)
	])[0]
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := "no development environment as code: no .devcontainer/devcontainer.json, .gitpod.yml or devbox.json"
}

pass_message := sprintf("development environment: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
