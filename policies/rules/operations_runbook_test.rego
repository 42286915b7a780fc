package goldenpath.rules.operations.runbook

base := {"names": {}, "dirs": {}, "files": {}, "catalog": null}

test_pass_runbook_file_by_name if {
	i := object.union(base, {"names": {"runbook.md": ["ops/runbook.md"]}})
	count(deny) == 0 with input as i
	pass_message == "runbook: ops/runbook.md" with input as i
}

test_pass_prefixed_runbook_from_reads if {
	i := object.union(base, {"files": {"docs/Runbook-payments.md": {"content": "# Runbook"}}})
	pass_message == "runbook: docs/Runbook-payments.md" with input as i
}

test_pass_runbooks_dir if {
	pass_message == "runbook: docs/runbooks/" with input as object.union(base, {"dirs": {"docs": true, "docs/runbooks": true}})
}

test_pass_catalog_link if {
	ent := {"path": "catalog-info.yaml", "line": 1, "lines": {}, "entity": {"kind": "Component", "metadata": {"name": "x", "links": [{"url": "https://wiki.acme.com/x", "title": "On-call Runbook"}]}}}
	i := object.union(base, {"catalog": {"files": ["catalog-info.yaml"], "entities": [ent], "errors": []}})
	pass_message == `runbook: catalog-info.yaml link "https://wiki.acme.com/x"` with input as i
}

test_pass_catalog_annotation if {
	ent := {"path": "catalog-info.yaml", "line": 1, "lines": {}, "entity": {"kind": "Component", "metadata": {"name": "x", "annotations": {"acme.com/runbook-url": "https://x"}}}}
	i := object.union(base, {"catalog": {"files": ["catalog-info.yaml"], "entities": [ent], "errors": []}})
	count(deny) == 0 with input as i
}

test_fail_nothing if {
	i := object.union(base, {"names": {"README.md": ["README.md"]}, "files": {"README.md": {"content": "runbook"}}})
	d := deny with input as i
	d == {{"message": "no runbook: no RUNBOOK.md or docs/runbook*.md, no runbooks/ directory, and no catalog link or annotation pointing at one", "files": []}}
}
