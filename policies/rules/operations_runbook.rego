# METADATA
# title: Service has a runbook
# description: |
#   Whoever is paged can find out what to do: a runbook file (RUNBOOK.md,
#   runbook*.md at the root or in docs/, a runbook.md anywhere, or a runbooks/
#   directory), or a catalog link or annotation that points at one.
# custom:
#   aspect: operations
#   level: 3
#   severity: warning
#   applies_to: [service]
#   scope: component
#   reads: ["[Rr]unbook*.md", "RUNBOOK*.md", "docs/[Rr]unbook*.md", "docs/RUNBOOK*.md"]
#   remediation: |
#     Add docs/runbook.md (it then also shows in TechDocs) and link it from the
#     catalog:
#
#     ```markdown
#     # {{repository}} runbook
#
#     ## Service overview
#     What it does, its dependencies, dashboards and SLOs (links).
#
#     ## Alerts
#     ### PaymentsHighErrorRate
#     - Impact: card payments fail at checkout.
#     - Diagnose: dashboard link; `kubectl -n payments logs deploy/{{repository}}`.
#     - Mitigate: roll back with `helm rollback {{repository}}`; fail over to ...
#
#     ## Escalation
#     #payments-oncall, then the payments-team engineering manager.
#     ```
#
#     ```yaml
#     # catalog-info.yaml
#     metadata:
#       links:
#         - url: https://github.com/{{full_name}}/blob/main/docs/runbook.md
#           title: Runbook
#           type: runbook
#     ```
package goldenpath.rules.operations.runbook

import data.goldenpath.lib

by_name := ["RUNBOOK.md", "runbook.md", "Runbook.md", "RUNBOOK", "RUNBOOK.rst", "runbook.rst", "RUNBOOK.adoc", "runbook.adoc"]

by_dir := ["runbooks", "runbook", ".runbooks", "docs/runbooks", "docs/runbook", "ops/runbooks", "doc/runbooks"]

evidence contains p if {
	some p in lib.named_in(by_name)
}

evidence contains concat("", [d, "/"]) if {
	some d in lib.existing_dirs(by_dir)
}

# runbook-payments.md and the like, matched by the reads globs.
evidence contains p if {
	some p in lib.read_files
	regex.match(`^(docs/)?(?i:runbook)[^/]*\.md$`, trim_prefix(p, lib.base))
}

evidence contains sprintf("%s link %q", [lib.catalog_path, l.url]) if {
	some ent in lib.entities
	some l in lib.links(ent)
	is_object(l)
	is_string(l.url)
	some v in [object.get(l, "title", ""), object.get(l, "type", ""), l.url]
	is_string(v)
	contains(lower(v), "runbook")
}

evidence contains sprintf("%s annotation %s", [lib.catalog_path, k]) if {
	some ent in lib.entities
	some k, v in lib.annotations(ent)
	is_string(v)
	contains(lower(concat(" ", [k, v])), "runbook")
}

# A monorepo's shared runbooks, one per component (runbooks/payments.md).
evidence contains p if {
	lib.shared_paths != []
	some p in array.concat(lib.shared_under({"runbooks", "runbook", ".runbooks"}), lib.shared_named(by_name))
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := "no runbook: no RUNBOOK.md or docs/runbook*.md, no runbooks/ directory, and no catalog link or annotation pointing at one"
}

pass_message := sprintf("runbook: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
