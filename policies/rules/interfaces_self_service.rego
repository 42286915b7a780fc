# METADATA
# title: The repository uses the organisation's building blocks
# description: |
#   Maturity model, Interfaces level 3 (Scalable, "Self-service solutions"):
#   "Solutions are provided as 'one-click' implementations, enabling teams to
#   benefit from a capability without needing to understand how they are
#   provisioned." A repository shows it when its pipelines and infrastructure
#   call the platform's own reusable pieces instead of copies: a GitHub Actions
#   `uses:` of a reusable workflow or action, or a Terraform/OpenTofu module
#   `source`, that starts with one of the prefixes the organisation lists under
#   `building_blocks` in golden-path.yaml. Without that list the rule is
#   skipped: only the organisation knows which blocks are its own.
# custom:
#   aspect: interfaces
#   level: 3
#   severity: info
#   applies_to: []
#   scope: repository
#   reads: [".github/workflows/*.yml", ".github/workflows/*.yaml", "*.tf", "{terraform,infra,infrastructure,iac,tf,deploy}/**/*.tf"]
#   remediation: |
#     Replace copied pipeline steps and modules with the platform's own, for
#     example a reusable workflow:
#
#     ```yaml
#     jobs:
#       build:
#         uses: acme/ci-workflows/.github/workflows/go-service.yml@v3
#     ```
#
#     or a module from the platform's module repository:
#
#     ```hcl
#     module "db" {
#       source = "git::https://github.com/acme/tf-modules.git//postgres?ref=v2.1.0"
#     }
#     ```
package goldenpath.rules.interfaces.self_service

import data.goldenpath.lib

blocks := [lower(b) | some b in object.get(object.get(input, "org", {}), "building_blocks", [])]

skip := "the organisation's golden-path.yaml names no building_blocks (its reusable workflows and infrastructure modules)" if count(blocks) == 0

# A repository rule: GitHub runs workflows only from the root, and the
# repository's Terraform is read once, outside example and test trees.
sources contains p if {
	some p, _ in input.files
	regex.match(`^\.github/workflows/[^/]+\.ya?ml$`, p)
}

sources contains p if {
	some p, _ in input.files
	endswith(p, ".tf")
	lib.evidence(p)
}

# refs[p] are the references file p makes: uses: values and module sources.
refs[p] := {normal(m[1]) |
	some m in regex.find_all_string_submatch_n(`(?m)(?:uses:|\bsource\s*=)\s*["']?([^"'\s#]+)`, lib.content(p), -1)
} if some p in sources

# normal(ref) is ref without a git:: forcing prefix, a scheme or an SSH user,
# lower-cased, so "git::https://github.com/Acme/tf.git//x" reads
# "github.com/acme/tf.git//x".
normal(ref) := r if {
	a := lower(trim_prefix(ref, "git::"))
	b := regex.replace(a, `^(https?|ssh|git)://`, "")
	c := regex.replace(b, `^git@github\.com:`, "github.com/")
	r := regex.replace(c, `^git@`, "")
}

# A prefix matches a whole path segment: acme/ci matches acme/ci/x@v1 and
# acme/ci.git, not acme/ci-old.
uses_block(ref, b) if ref == b

uses_block(ref, b) if {
	startswith(ref, b)
	substring(ref, count(b), 1) in {"/", ".", "?", "@"}
}

evidence contains sprintf("%s (%s)", [b, p]) if {
	some p, rs in refs
	some b in blocks
	some r in rs
	uses_block(r, b)
}

deny contains {"message": msg, "files": []} if {
	count(blocks) > 0
	count(evidence) == 0
	msg := sprintf("uses none of the organisation's building blocks (%s) in its workflows or Terraform modules", [concat(", ", blocks)])
}

pass_message := sprintf("uses the organisation's building blocks: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
