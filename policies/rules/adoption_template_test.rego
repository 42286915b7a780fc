package goldenpath.rules.adoption.template

base := {"repository": {"full_name": "acme/payments", "template_repository": ""}, "names": {}, "catalog": null}

test_pass_github_template if {
	i := object.union(base, {"repository": {"template_repository": "acme/service-template"}})
	count(deny) == 0 with input as i
	pass_message == "created from a template: GitHub template acme/service-template" with input as i
}

test_pass_source_template_annotation if {
	ent := {"path": "catalog-info.yaml", "line": 1, "lines": {}, "entity": {"kind": "Component", "metadata": {"name": "p", "annotations": {"backstage.io/source-template": "template:default/go-service"}}}}
	i := object.union(base, {"catalog": {"files": ["catalog-info.yaml"], "entities": [ent], "errors": []}})
	pass_message == "created from a template: backstage.io/source-template: template:default/go-service" with input as i
}

test_pass_copier_or_cruft_answers if {
	count(deny) == 0 with input as object.union(base, {"names": {".copier-answers.yml": [".copier-answers.yml"]}})
	pass_message == "created from a template: Cruft answers file .cruft.json" with input as object.union(base, {"names": {".cruft.json": [".cruft.json"]}})
}

test_fail_answers_file_not_at_root if {
	count(deny) == 1 with input as object.union(base, {"names": {".cruft.json": ["vendor/x/.cruft.json"]}})
}

test_fail_nothing if {
	d := deny with input as base
	d == {{"message": "not created from a golden-path template: GitHub records no template repository, and there is no backstage.io/source-template annotation or Copier/Cruft answers file", "files": []}}
}

test_fail_when_template_repository_missing_or_null if {
	count(deny) == 1 with input as {"repository": {"template_repository": null}, "names": {}, "catalog": null}
	count(deny) == 1 with input as {"names": {}}
}
