# METADATA
# title: Documentation is published with TechDocs
# description: |
#   The repository has docs-as-code that Backstage TechDocs can build: a mkdocs.yml
#   (or mkdocs.yaml) at the root with a docs/ directory, or a
#   backstage.io/techdocs-ref annotation in catalog-info.yaml. A `dir:` reference
#   must point at a directory that really holds a mkdocs.yml. A documentation
#   site is its own published documentation, so the rule does not apply to it.
# custom:
#   aspect: interfaces
#   level: 2
#   severity: warning
#   applies_to: [service, website, library, infrastructure, template]
#   scope: component
#   reads: []
#   remediation: |
#     Add mkdocs.yml at the root, put Markdown pages under docs/, and annotate
#     the catalog entity so Backstage builds and shows them:
#
#     ```yaml
#     # mkdocs.yml
#     site_name: {{repository}}
#     nav:
#       - Home: index.md
#       - Runbook: runbook.md
#     plugins:
#       - techdocs-core
#     ```
#
#     ```yaml
#     # catalog-info.yaml
#     metadata:
#       annotations:
#         backstage.io/techdocs-ref: dir:.
#     ```
package goldenpath.rules.docs.techdocs

import data.goldenpath.lib

annotation := "backstage.io/techdocs-ref"

mkdocs_names := ["mkdocs.yml", "mkdocs.yaml"]

root_mkdocs := lib.first_existing(mkdocs_names)

has_docs_dir if lib.dir_exists("docs")

# The first entity (Component first) that carries the annotation.
annotated := [ent |
	some ent in array.concat(lib.components, lib.entities)
	lib.annotations(ent)[annotation]
][0]

ref := lib.annotations(annotated)[annotation]

ref_line := lib.line_of(annotated, concat(".", ["metadata.annotations", annotation]))

# dir:<path> is relative to the directory of the catalog file that carries the
# annotation, as Backstage resolves it (dir:../.. from packages/a/ is the root).
ref_dir := concat("/", array.concat(array.slice(file_dir, 0, count(file_dir) - ups), rest)) if {
	is_string(ref)
	startswith(ref, "dir:")
	parts := [x | some x in split(trim_space(substring(ref, 4, -1)), "/"); not x in {"", "."}]
	ups := count([x | some x in parts; x == ".."])
	rest := [x | some x in parts; x != ".."]
	file_dir := [x | some x in array.slice(split(annotated.path, "/"), 0, count(split(annotated.path, "/")) - 1); x != "."]
	count(file_dir) >= ups
}

ref_outside if {
	is_string(ref)
	startswith(ref, "dir:")
	not ref_dir
}

ref_mkdocs := [p |
	some name in mkdocs_names
	p := concat("/", array.concat([ref_dir | ref_dir != ""], [name]))
	lib.present(p)
][0] if is_string(ref_dir)

ref_is_url if {
	is_string(ref)
	regex.match(`^url:\s*\S+`, ref)
}

# The hint fits only Markdown pages: docs/ built by another generator (Sphinx,
# DocFX) or holding only images needs more than a mkdocs.yml.
docs_hint := " (docs/ holds Markdown pages: add a mkdocs.yml for them)" if {
	has_docs_dir
	prefix := concat("", [lib.base, "docs/"])
	some p in lib.with_ext(".md")
	startswith(p, prefix)
	not other_generator
}

else := sprintf(" (docs/ is built with %s, which TechDocs does not build)", [other_generator]) if other_generator

else := ""

other_generator := "Sphinx" if lib.exists("docs/conf.py")

else := "DocFX" if lib.exists("docs/docfx.json")

# --- findings ----------------------------------------------------------------

deny contains {"message": msg, "files": [{"path": annotated.path, "line": ref_line}]} if {
	ref_dir
	not ref_mkdocs
	where := object.get({"": "the repository root"}, ref_dir, concat("", [ref_dir, "/"]))
	msg := sprintf("%s:%d: %s is %q but %s has no mkdocs.yml, so TechDocs cannot build", [annotated.path, ref_line, annotation, ref, where])
}

deny contains {"message": msg, "files": [{"path": annotated.path, "line": ref_line}]} if {
	ref_outside
	msg := sprintf("%s:%d: %s %q points outside the repository", [annotated.path, ref_line, annotation, ref])
}

deny contains {"message": msg, "files": [{"path": annotated.path, "line": ref_line}]} if {
	annotated
	not ref_dir
	not ref_outside
	not ref_is_url
	msg := sprintf("%s:%d: %s %s must be dir:<path> or url:<location>", [annotated.path, ref_line, annotation, json.marshal(ref)])
}

deny contains {"message": msg, "files": files} if {
	not annotated
	not root_mkdocs
	msg := concat("", ["no TechDocs: no mkdocs.yml at the root and no backstage.io/techdocs-ref annotation", docs_hint])
	files := []
}

deny contains {"message": msg, "files": [{"path": root_mkdocs, "line": 1}]} if {
	not annotated
	root_mkdocs
	not has_docs_dir
	msg := sprintf("%s has no docs/ directory next to it, and there is no backstage.io/techdocs-ref annotation", [root_mkdocs])
}

pass_message := sprintf("TechDocs built from %s (%s: %s)", [ref_mkdocs, annotation, ref]) if ref_mkdocs

pass_message := sprintf("TechDocs published from %s (%s)", [trim_space(substring(ref, 4, -1)), annotation]) if ref_is_url

pass_message := sprintf("%s and docs/ are ready for TechDocs; add %s: dir:. to catalog-info.yaml to show them in Backstage", [root_mkdocs, annotation]) if {
	not annotated
	root_mkdocs
	has_docs_dir
}
