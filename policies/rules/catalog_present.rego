# METADATA
# title: Component is registered in the software catalog
# description: |
#   A catalog-info.yaml (or .yml) at the repository root registers the component in
#   Backstage, so people can find it, its owner, its docs and its APIs.
# custom:
#   aspect: adoption
#   level: 1
#   severity: error
#   applies_to: []
#   scope: repository
#   reads: []
#   remediation: |
#     Add catalog-info.yaml at the repository root and register it in Backstage
#     (or let the catalog's GitHub discovery pick it up). A minimal Component:
#
#     ```yaml
#     apiVersion: backstage.io/v1alpha1
#     kind: Component
#     metadata:
#       name: {{repository}}            # [a-zA-Z0-9] separated by - _ . (max 63)
#       description: Card payments API
#       annotations:
#         github.com/project-slug: {{full_name}}
#         backstage.io/techdocs-ref: dir:.
#     spec:
#       type: service                 # service | website | library | ...
#       lifecycle: production         # experimental | production | deprecated
#       owner: group:payments-team
#       system: payments
#     ```
package goldenpath.rules.catalog.present

import data.goldenpath.lib

# Names that look like a catalog file but are not where Backstage's GitHub
# discovery looks, so the component is silently not registered.
misplaced := [p |
	some name in ["catalog-info.yaml", "catalog-info.yml"]
	some p in lib.named(name)
	count(split(p, "/")) == 2
]

near_misses := lib.existing([
	"catalog-info.json", "catalog_info.yaml", "catalog.yaml", "catalog-info.YAML",
	".backstage/catalog-info.yaml", ".github/catalog-info.yaml",
])

deny contains {"message": msg, "files": files} if {
	not lib.has_catalog
	found := array.concat(misplaced, near_misses)
	count(found) == 0
	msg := "no catalog-info.yaml at the repository root, so the component is not in the software catalog"
	files := []
}

deny contains {"message": msg, "files": files} if {
	not lib.has_catalog
	found := array.concat(misplaced, near_misses)
	count(found) > 0
	msg := sprintf(
		"no catalog-info.yaml at the repository root; %s is not where catalog discovery looks (move or copy it to the root)",
		[concat(", ", found)],
	)
	files := [{"path": p, "line": 1} | some p in found]
}

pass_message := sprintf("registered in the catalog by %s", [concat(", ", lib.catalog_files)]) if lib.has_catalog
