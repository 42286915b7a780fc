package goldenpath.rules.catalog.present

test_pass_with_root_catalog if {
	inp := {
		"names": {"catalog-info.yaml": ["catalog-info.yaml"]},
		"catalog": {"files": ["catalog-info.yaml"], "entities": [], "errors": []},
	}
	count(deny) == 0 with input as inp
	pass_message == "registered in the catalog by catalog-info.yaml" with input as inp
}

test_fail_without_catalog if {
	inp := {"names": {"README.md": ["README.md"]}, "catalog": {"files": [], "entities": [], "errors": []}}
	msgs := {d.message | some d in deny} with input as inp
	msgs == {"no catalog-info.yaml at the repository root, so the component is not in the software catalog"}
}

test_fail_when_catalog_is_null if {
	count(deny) == 1 with input as {"names": {}, "catalog": null}
}

test_fail_names_misplaced_catalog if {
	inp := {
		"names": {"catalog-info.yaml": ["deploy/catalog-info.yaml"]},
		"catalog": {"files": [], "entities": [], "errors": []},
	}
	some d in deny with input as inp
	contains(d.message, "deploy/catalog-info.yaml is not where catalog discovery looks")
	d.files == [{"path": "deploy/catalog-info.yaml", "line": 1}]
}

test_template_skeleton_deep_in_tree_is_not_a_near_miss if {
	inp := {
		"names": {"catalog-info.yaml": ["templates/go/skeleton/catalog-info.yaml"]},
		"catalog": {"files": [], "entities": [], "errors": []},
	}
	some d in deny with input as inp
	d.files == []
}
