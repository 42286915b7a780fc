package goldenpath.rules.catalog.system

inp(ents) := {"catalog": {"files": ["catalog-info.yaml"], "entities": ents, "errors": []}}

ent(kind, name, spec, lines) := {
	"path": "catalog-info.yaml", "document": 0, "line": 1,
	"entity": {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec},
	"lines": lines,
}

test_pass_component_with_system_and_system_with_domain if {
	i := inp([
		ent("Component", "api", {"system": "payments"}, {}),
		ent("System", "payments", {"owner": "x", "domain": "commerce"}, {}),
	])
	count(deny) == 0 with input as i
	pass_message == "Component api is part of system payments; System payments is part of domain commerce" with input as i
}

test_fail_component_without_system if {
	d := deny with input as inp([ent("Component", "api", {"owner": "x"}, {"spec": 7})])
	d == {{"message": "catalog-info.yaml:7: Component api has no spec.system: it belongs to no system", "files": [{"path": "catalog-info.yaml", "line": 7}]}}
}

test_fail_system_without_domain if {
	i := inp([
		ent("System", "rhdh", {"owner": "x"}, {"spec": 30}),
		ent("Component", "rhdh", {"system": "rhdh"}, {"spec.system": 60}),
	])
	{x.message | some x in deny} == {"catalog-info.yaml:30: System rhdh has no spec.domain: it belongs to no domain"} with input as i
}

test_skip_without_catalog if {
	skip == "no catalog-info.yaml at the repository root (catalog.present reports that)" with input as {"catalog": null}
}

test_skip_when_only_other_kinds if {
	skip == "catalog-info.yaml declares no Component or System" with input as inp([ent("API", "a", {}, {})])
	count(deny) == 0 with input as inp([ent("API", "a", {}, {})])
}
