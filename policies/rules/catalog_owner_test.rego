package goldenpath.rules.catalog.owner

inp(ents) := {"catalog": {"files": ["catalog-info.yaml"], "entities": ents, "errors": []}}

comp(spec) := {
	"path": "catalog-info.yaml", "document": 0, "line": 1,
	"entity": {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "payments"}, "spec": spec},
	"lines": {"spec": 6, "spec.owner": 8},
}

test_pass_with_team_owner if {
	i := inp([comp({"type": "service", "owner": "group:payments"})])
	count(deny) == 0 with input as i
	pass_message == "Component payments is owned by group:payments" with input as i
}

test_pass_uses_component_not_first_entity if {
	system := {"path": "catalog-info.yaml", "document": 0, "line": 1, "entity": {"kind": "System", "metadata": {"name": "s"}, "spec": {}}, "lines": {}}
	i := inp([system, comp({"owner": "group:payments"})])
	count(deny) == 0 with input as i
}

test_fail_without_owner_names_line if {
	e := json.patch(comp({"type": "service"}), [{"op": "remove", "path": "/lines/spec.owner"}])
	d := deny with input as inp([e])
	d == {{"message": "catalog-info.yaml:6: Component payments has no spec.owner", "files": [{"path": "catalog-info.yaml", "line": 6}]}}
}

test_fail_first_entity_when_no_component if {
	api := {"path": "catalog-info.yaml", "document": 0, "line": 1, "entity": {"kind": "API", "metadata": {"name": "a"}}, "lines": {}}
	d := deny with input as inp([api])
	{x.message | some x in d} == {"catalog-info.yaml:1: API a has no spec.owner"}
}

test_fail_placeholder_owner if {
	d := deny with input as inp([comp({"owner": "user:guest"})])
	{x.message | some x in d} == {`catalog-info.yaml:8: spec.owner "user:guest" of Component payments is a placeholder, not a team`}
}

test_fail_unrendered_template_owner if {
	d := deny with input as inp([comp({"owner": "${{ values.owner }}"})])
	{x.message | some x in d} == {`catalog-info.yaml:8: spec.owner "${{ values.owner }}" of Component payments is an unrendered template value`}
}

test_skip_without_catalog if {
	skip == "no catalog-info.yaml at the repository root (catalog.present reports that)" with input as {"catalog": {"files": [], "entities": [], "errors": []}}
	count(deny) == 0 with input as {"catalog": null}
}

test_skip_when_nothing_parsed if {
	i := {"catalog": {"files": ["catalog-info.yaml"], "entities": [], "errors": [{"path": "catalog-info.yaml", "line": 2, "message": "bad"}]}}
	skip == "catalog-info.yaml holds no entity that could be read (catalog.valid reports why)" with input as i
}

test_skip_when_only_kinds_without_owner if {
	loc := {"path": "catalog-info.yaml", "document": 0, "line": 1, "entity": {"kind": "Location", "metadata": {"name": "templates"}, "spec": {"targets": []}}, "lines": {}}
	skip == "catalog-info.yaml declares no entity that has an owner (only Location)" with input as inp([loc])
	count(deny) == 0 with input as inp([loc])
}

test_fail_first_owned_kind_after_location if {
	loc := {"path": "catalog-info.yaml", "document": 0, "line": 1, "entity": {"kind": "Location", "metadata": {"name": "l"}}, "lines": {}}
	res := {"path": "catalog-info.yaml", "document": 1, "line": 9, "entity": {"kind": "Resource", "metadata": {"name": "db"}, "spec": {}}, "lines": {"spec": 13}}
	{x.message | some x in deny} == {"catalog-info.yaml:13: Resource db has no spec.owner"} with input as inp([loc, res])
}
