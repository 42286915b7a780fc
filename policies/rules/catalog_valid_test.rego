package goldenpath.rules.catalog.valid

catalog(ents) := {
	"names": {"catalog-info.yaml": ["catalog-info.yaml"]},
	"catalog": {"files": ["catalog-info.yaml"], "entities": ents, "errors": []},
}

doc(i, start, e, lines) := {"path": "catalog-info.yaml", "document": i, "line": start, "entity": e, "lines": lines}

component := {
	"apiVersion": "backstage.io/v1alpha1",
	"kind": "Component",
	"metadata": {
		"name": "payments-api",
		"namespace": "team-a",
		"title": "Payments API",
		"labels": {"acme.com/tier": "gold", "empty": ""},
		"annotations": {"backstage.io/techdocs-ref": "dir:."},
		"tags": ["java", "c++", "grpc-api"],
		"links": [{"url": "https://grafana.example.com/d/1", "title": "Dashboard", "icon": "dashboard", "type": "metrics"}],
	},
	"spec": {"type": "service", "lifecycle": "production", "owner": "group:payments", "system": "payments", "providesApis": ["payments"]},
}

component_lines := {
	"apiVersion": 1, "kind": 2, "metadata": 3, "metadata.name": 4, "metadata.namespace": 5,
	"metadata.labels": 7, "metadata.labels.acme.com/tier": 8, "metadata.annotations": 10,
	"metadata.annotations.backstage.io/techdocs-ref": 11, "metadata.tags": 12, "metadata.links": 16,
	"spec": 20, "spec.type": 21, "spec.lifecycle": 22, "spec.owner": 23,
}

with_field(obj, path, value) := json.patch(obj, [{"op": "add", "path": path, "value": value}])

without_field(obj, path) := json.patch(obj, [{"op": "remove", "path": path}])

messages(inp) := m if {
	m := {d.message | some d in deny} with input as inp
}

single(e) := catalog([doc(0, 1, e, component_lines)])

test_pass_valid_entities_of_every_kind if {
	inp := catalog([
		doc(0, 1, component, component_lines),
		doc(1, 30, {"apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "payments"}, "spec": {"type": "openapi", "lifecycle": "production", "owner": "group:payments", "definition": {"$text": "./openapi.yaml"}}}, {}),
		doc(2, 40, {"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": {"name": "payments"}, "spec": {"owner": "group:payments", "domain": "commerce"}}, {}),
		doc(3, 50, {"apiVersion": "backstage.io/v1alpha1", "kind": "Domain", "metadata": {"name": "commerce"}, "spec": {"owner": "group:payments"}}, {}),
		doc(4, 60, {"apiVersion": "backstage.io/v1beta1", "kind": "Resource", "metadata": {"name": "payments-db"}, "spec": {"type": "database", "owner": "group:payments"}}, {}),
		doc(5, 70, {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "payments"}, "spec": {"type": "team", "children": []}}, {}),
		doc(6, 80, {"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": {"name": "go-service"}, "spec": {"type": "service"}}, {}),
		doc(7, 90, {"apiVersion": "acme.com/v1", "kind": "Pipeline", "metadata": {"name": "ci"}}, {}),
	])
	messages(inp) == set()
	pass_message == "8 catalog entities in catalog-info.yaml pass Backstage validation" with input as inp
	not skip with input as inp
}

test_skip_without_catalog if {
	skip == "no catalog-info.yaml at the repository root (catalog.present reports that)" with input as {"names": {}, "catalog": null}
}

test_fail_invalid_name_names_field_and_line if {
	inp := single(with_field(component, "/metadata/name", "My Service!"))
	some d in deny with input as inp
	d == {
		"message": `catalog-info.yaml:4: metadata.name "My Service!" must be 1-63 characters of [a-zA-Z0-9] separated by [-_.]`,
		"files": [{"path": "catalog-info.yaml", "line": 4}],
	}
}

test_name_boundaries if {
	ok := {"a", "a--b", "A_b.c", sprintf("a%062d", [0])}
	every n in ok {
		object_name(n)
	}
	bad := {"", "-a", "a-", "a b", "é", sprintf("a%063d", [0]), 7}
	every n in bad {
		not object_name(n)
	}
}

test_fail_missing_name if {
	inp := catalog([doc(0, 1, without_field(component, "/metadata/name"), object.remove(component_lines, ["metadata.name"]))])
	messages(inp) == {"catalog-info.yaml:3: metadata.name is required"}
}

test_fail_core_kind_with_foreign_api_version if {
	inp := single(with_field(component, "/apiVersion", "backstage.io/v2"))
	messages(inp) == {`catalog-info.yaml:1: apiVersion "backstage.io/v2" is not valid for kind Component: use backstage.io/v1alpha1 (or backstage.io/v1beta1)`}
}

test_fail_malformed_api_version if {
	inp := single(with_field(component, "/apiVersion", "Backstage.io/v1alpha1"))
	`catalog-info.yaml:1: apiVersion "Backstage.io/v1alpha1" must be <group>/<version>, e.g. backstage.io/v1alpha1` in messages(inp)
}

test_fail_kind_spelling if {
	inp := single(with_field(component, "/kind", "component"))
	messages(inp) == {`catalog-info.yaml:2: kind "component" must be written "Component"`}
}

test_fail_missing_kind if {
	inp := catalog([doc(0, 1, without_field(component, "/kind"), object.remove(component_lines, ["kind"]))])
	messages(inp) == {"catalog-info.yaml:1: kind is required (Component, API, Resource, System, Domain, Group, User or Location)"}
}

test_fail_unknown_backstage_kind if {
	inp := single(with_field(component, "/kind", "Service"))
	`catalog-info.yaml:2: kind "Service" is not a kind of backstage.io/v1alpha1 (Component, API, Resource, System, Domain, Group, User, Location)` in messages(inp)
}

test_fail_namespace_format if {
	inp := single(with_field(component, "/metadata/namespace", "Team_A"))
	messages(inp) == {`catalog-info.yaml:5: metadata.namespace "Team_A" must be 1-63 characters of [a-z0-9] separated by [-]`}
}

test_fail_label_key_and_value if {
	inp := single(with_field(component, "/metadata/labels", {"acme.com/tier": "gold!", "Bad_Prefix/x": "ok"}))
	messages(inp) == {
		`catalog-info.yaml:8: metadata.labels.acme.com/tier value "gold!" must be empty or 1-63 characters of [a-zA-Z0-9] separated by [-_.]`,
		`catalog-info.yaml:7: metadata.labels key "Bad_Prefix/x" must be an optional DNS-subdomain prefix and "/", then 1-63 characters of [a-zA-Z0-9] separated by [-_.]`,
	}
}

test_fail_annotation_value_not_string if {
	inp := single(with_field(component, "/metadata/annotations", {"backstage.io/techdocs-ref": 42}))
	messages(inp) == {`catalog-info.yaml:11: metadata.annotations.backstage.io/techdocs-ref value 42 must be a string (quote it in YAML)`}
}

test_fail_tag_format if {
	inp := single(with_field(component, "/metadata/tags", ["java", "Spring Boot"]))
	messages(inp) == {`catalog-info.yaml:12: metadata.tags[1] "Spring Boot" must be 1-63 characters of [a-z0-9:+#] separated by [-]`}
}

test_fail_link_without_url if {
	inp := single(with_field(component, "/metadata/links", [{"title": "Docs"}, {"url": "docs/index.md", "title": ""}]))
	messages(inp) == {
		"catalog-info.yaml:16: metadata.links[0].url is required",
		`catalog-info.yaml:16: metadata.links[1].url "docs/index.md" must be an absolute URL`,
		`catalog-info.yaml:16: metadata.links[1].title "" must be a non-empty string`,
	}
}

test_fail_component_missing_required_spec if {
	e := without_field(without_field(component, "/spec/owner"), "/spec/lifecycle")
	inp := catalog([doc(0, 1, e, object.remove(component_lines, ["spec.owner", "spec.lifecycle"]))])
	messages(inp) == {
		"catalog-info.yaml:20: spec.owner is required for kind Component",
		"catalog-info.yaml:20: spec.lifecycle is required for kind Component",
	}
}

test_fail_spec_field_wrong_type if {
	inp := single(with_field(component, "/spec/type", ["service"]))
	messages(inp) == {`catalog-info.yaml:21: spec.type ["service"] must be a non-empty string`}
}

test_fail_required_fields_of_other_kinds if {
	inp := catalog([
		doc(0, 1, {"apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "a"}, "spec": {"type": "openapi", "lifecycle": "production", "owner": "x"}}, {"spec": 5}),
		doc(1, 10, {"apiVersion": "backstage.io/v1alpha1", "kind": "Resource", "metadata": {"name": "r"}, "spec": {"owner": "x"}}, {"spec": 14}),
		doc(2, 20, {"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": {"name": "s"}, "spec": {}}, {"spec": 24}),
		doc(3, 30, {"apiVersion": "backstage.io/v1alpha1", "kind": "Domain", "metadata": {"name": "d"}}, {"metadata": 32}),
		doc(4, 40, {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "g"}, "spec": {"type": "team"}}, {"spec": 44}),
	])
	messages(inp) == {
		"catalog-info.yaml:5: spec.definition is required for kind API",
		"catalog-info.yaml:14: spec.type is required for kind Resource",
		"catalog-info.yaml:24: spec.owner is required for kind System",
		"catalog-info.yaml:30: spec is required for kind Domain",
		"catalog-info.yaml:44: spec.children is required for kind Group (use [] for none)",
	}
}

test_fail_every_document_checked if {
	inp := catalog([
		doc(0, 1, component, component_lines),
		doc(1, 26, {"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": {"name": "bad name"}, "spec": {"owner": "x"}}, {"metadata.name": 29}),
	])
	messages(inp) == {`catalog-info.yaml:29: metadata.name "bad name" must be 1-63 characters of [a-zA-Z0-9] separated by [-_.]`}
}

test_fail_document_not_a_mapping if {
	inp := catalog([doc(0, 1, component, component_lines), doc(1, 25, "just a string", {})])
	messages(inp) == {"catalog-info.yaml:25: document 2 is not a mapping: an entity needs apiVersion, kind, metadata and spec"}
}

test_pass_with_warning_for_entity_listed_twice_in_one_file if {
	inp := catalog([doc(0, 1, component, component_lines), doc(1, 26, component, {"metadata.name": 29})])
	messages(inp) == set()
	pass_message == `2 catalog entities in catalog-info.yaml pass Backstage validation; warning: catalog-info.yaml:29: Component "payments-api" is listed twice in the file (also at line 4): Backstage keeps only one of them` with input as inp
}

test_fail_same_entity_in_two_files if {
	other := {"path": ".backstage/payments.yaml", "document": 0, "line": 1, "entity": component, "lines": {"metadata.name": 4}}
	inp := {
		"names": {"catalog-info.yaml": ["catalog-info.yaml"]},
		"catalog": {"files": ["catalog-info.yaml", ".backstage/payments.yaml"], "entities": [doc(0, 1, component, component_lines), other], "errors": []},
	}
	messages(inp) == {`.backstage/payments.yaml:4: Component "payments-api" is also defined in catalog-info.yaml:4: Backstage rejects the second as a conflicting entity`}
}

test_fail_top_level_keys_outside_the_envelope if {
	e := json.patch(component, [
		{"op": "add", "path": "/owner", "value": "group:payments"},
		{"op": "add", "path": "/extra", "value": {"a": 1}},
	])
	inp := catalog([doc(0, 1, e, object.union(component_lines, {"owner": 25, "extra": 26}))])
	messages(inp) == {
		`catalog-info.yaml:25: top-level key "owner" is not allowed: an entity has only apiVersion, kind, metadata and spec (and relations, status) (indent it under spec)`,
		`catalog-info.yaml:26: top-level key "extra" is not allowed: an entity has only apiVersion, kind, metadata and spec (and relations, status)`,
	}
}

test_relations_and_status_as_the_schema_allows if {
	ok := json.patch(component, [{"op": "add", "path": "/relations", "value": []}, {"op": "add", "path": "/status", "value": {}}])
	messages(single(ok)) == set()
	bad := json.patch(component, [{"op": "add", "path": "/relations", "value": "x"}, {"op": "add", "path": "/status", "value": []}])
	messages(catalog([doc(0, 1, bad, object.union(component_lines, {"relations": 25, "status": 26}))])) == {
		"catalog-info.yaml:25: relations must be a list",
		"catalog-info.yaml:26: status must be a mapping",
	}
}

test_fail_file_without_entities if {
	inp := {
		"names": {"catalog-info.yaml": ["catalog-info.yaml"]},
		"catalog": {"files": ["catalog-info.yaml"], "entities": [], "errors": []},
	}
	messages(inp) == {"catalog-info.yaml:1: holds no entity (the file is empty or only comments), so Backstage registers nothing from it"}
}

test_fail_parse_error_names_line if {
	inp := {
		"names": {"catalog-info.yaml": ["catalog-info.yaml"]},
		"catalog": {
			"files": ["catalog-info.yaml"], "entities": [],
			"errors": [{"path": "catalog-info.yaml", "line": 7, "message": "mapping values are not allowed in this context"}],
		},
	}
	some d in deny with input as inp
	d == {
		"message": "catalog-info.yaml:7: cannot be parsed: mapping values are not allowed in this context",
		"files": [{"path": "catalog-info.yaml", "line": 7}],
	}
}

test_dns_label_and_subdomain_boundaries if {
	dns_label(sprintf("a%062d", [0]))
	not dns_label(sprintf("a%063d", [0]))
	not dns_label("a--b")
	not dns_label("-a")
	dns_subdomain("acme.com")
	not dns_subdomain("Acme.com")
	not dns_subdomain("acme..com")
	prefixed_name("acme.com/team_a")
	not prefixed_name("acme.com/a/b")
	tag_format("c++")
	not tag_format("a--b")
	not tag_format(sprintf("a%063d", [0]))
}

test_fail_group_without_type if {
	inp := catalog([doc(0, 1, {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "g"}, "spec": {"children": []}}, {"spec": 5})])
	messages(inp) == {"catalog-info.yaml:5: spec.type is required for kind Group"}
}
