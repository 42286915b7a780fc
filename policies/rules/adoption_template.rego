# METADATA
# title: Repository was created from a golden-path template
# description: |
#   The repository started from one of the platform's templates, so it inherits
#   the paved road (CI, catalog entry, docs, infrastructure) and can take its
#   updates: GitHub records a template repository, the catalog carries a
#   backstage.io/source-template annotation (set by the Backstage scaffolder), or
#   a Copier or Cruft answers file records the template.
# custom:
#   aspect: adoption
#   level: 3
#   severity: info
#   applies_to: []
#   scope: repository
#   reads: []
#   remediation: |
#     Create new components from the platform's templates (Backstage "Create..."
#     or GitHub "Use this template"). For an existing repository, adopt the
#     template's files and record where they came from in catalog-info.yaml:
#
#     ```yaml
#     metadata:
#       annotations:
#         backstage.io/source-template: template:default/go-service
#     ```
package goldenpath.rules.adoption.template

import data.goldenpath.lib

annotation := "backstage.io/source-template"

evidence contains sprintf("GitHub template %s", [t]) if {
	t := input.repository.template_repository
	lib.non_empty_string(t)
}

evidence contains sprintf("%s: %s", [annotation, v]) if {
	some ent in lib.entities
	v := lib.annotations(ent)[annotation]
	lib.non_empty_string(v)
}

evidence contains sprintf("%s answers file %s", [tool, p]) if {
	some [tool, p] in [
		["Copier", ".copier-answers.yml"], ["Copier", ".copier-answers.yaml"],
		["Cruft", ".cruft.json"],
	]
	lib.exists(p)
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := "not created from a golden-path template: GitHub records no template repository, and there is no backstage.io/source-template annotation or Copier/Cruft answers file"
}

pass_message := sprintf("created from a template: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
