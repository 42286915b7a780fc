package goldenpath.rules.catalog.lifecycle

inp(ents) := {"catalog": {"files": ["catalog-info.yaml"], "entities": ents, "errors": []}}

ent(kind, spec, lines) := {
	"path": "catalog-info.yaml", "document": 0, "line": 1,
	"entity": {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": "payments"}, "spec": spec},
	"lines": lines,
}

test_pass_well_known_values if {
	i := inp([ent("Component", {"lifecycle": "production"}, {}), ent("API", {"lifecycle": "experimental"}, {}), ent("System", {}, {})])
	count(deny) == 0 with input as i
	pass_message == "Component payments is production; API payments is experimental" with input as i
}

test_fail_unknown_value_names_line if {
	d := deny with input as inp([ent("Component", {"lifecycle": "Production"}, {"spec": 5, "spec.lifecycle": 8})])
	d == {{
		"message": `catalog-info.yaml:8: spec.lifecycle "Production" of Component payments is not one of experimental, production, deprecated`,
		"files": [{"path": "catalog-info.yaml", "line": 8}],
	}}
}

test_fail_missing_lifecycle if {
	d := deny with input as inp([ent("Component", {"type": "service"}, {"spec": 5})])
	{x.message | some x in d} == {"catalog-info.yaml:5: Component payments has no spec.lifecycle (use experimental, production or deprecated)"}
}

test_skip_without_catalog if {
	skip == "no catalog-info.yaml at the repository root (catalog.present reports that)" with input as {"catalog": null}
}

test_skip_without_component_or_api if {
	skip == "catalog-info.yaml declares no Component or API" with input as inp([ent("Group", {}, {})])
}
