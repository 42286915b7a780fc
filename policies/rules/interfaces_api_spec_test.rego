package goldenpath.rules.interfaces.api_spec

catalog(ents) := {"files": ["catalog-info.yaml"], "errors": [], "entities": ents}

component(spec) := {
	"path": "catalog-info.yaml", "document": 0, "line": 1, "lines": {"spec": 8, "spec.providesApis": 12},
	"entity": {"kind": "Component", "metadata": {"name": "payments"}, "spec": spec},
}

api(definition) := {
	"path": "catalog-info.yaml", "document": 1, "line": 15, "lines": {"kind": 16, "spec.definition": 24},
	"entity": {"kind": "API", "metadata": {"name": "payments"}, "spec": {"definition": definition}},
}

base := {"component_type": "service", "names": {}, "exts": {}, "dirs": {}, "files": {}, "catalog": null}

test_skip_when_no_api if {
	i := object.union(base, {"catalog": catalog([component({"type": "service"})])})
	startswith(skip, "the component provides no API") with input as i
	count(deny) == 0 with input as i
}

test_skip_library_with_api_dir if {
	startswith(skip, "the component provides no API") with input as object.union(base, {"component_type": "library", "dirs": {"api": true}})
}

test_pass_openapi_file if {
	i := object.union(base, {
		"catalog": catalog([component({"providesApis": ["payments"]})]),
		"names": {"openapi.yaml": ["api/openapi.yaml"]},
		"files": {"api/openapi.yaml": {"content": "openapi: 3.1.0\ninfo: {}\n"}},
	})
	count(deny) == 0 with input as i
	pass_message == "API definitions: api/openapi.yaml" with input as i
}

test_pass_prefixed_spec_name_and_proto if {
	i := object.union(base, {
		"dirs": {"api": true},
		"files": {"docs/openapi-v2.json": {"content": "{\"swagger\": \"2.0\"}"}},
		"exts": {".proto": ["proto/payments.proto"]},
	})
	pass_message == "API definitions: docs/openapi-v2.json, proto/payments.proto" with input as i
}

test_pass_api_entity_with_existing_text_ref if {
	i := object.union(base, {
		"catalog": catalog([api({"$text": "./spec/payments.yaml"})]),
		"names": {"payments.yaml": ["spec/payments.yaml"]},
	})
	count(deny) == 0 with input as i
	pass_message == "API definitions: spec/payments.yaml" with input as i
}

test_pass_api_entity_with_url_or_inline_definition if {
	count(deny) == 0 with input as object.union(base, {"catalog": catalog([api({"$text": "https://demo.example.com/api/schema"})])})
	count(deny) == 0 with input as object.union(base, {"catalog": catalog([api("type Query { a: Int }")])})
}

test_fail_provides_apis_without_definition if {
	d := deny with input as object.union(base, {"catalog": catalog([component({"providesApis": ["payments"]})])})
	d == {{
		"message": "catalog-info.yaml:12: Component payments lists spec.providesApis, but there is no API definition (OpenAPI/Swagger, AsyncAPI, .proto or GraphQL schema)",
		"files": [{"path": "catalog-info.yaml", "line": 12}],
	}}
}

test_fail_api_dir_without_definition if {
	d := deny with input as object.union(base, {"dirs": {"api": true}, "names": {"handlers.go": ["api/handlers.go"]}})
	d == {{"message": "the service has an api/ directory, but there is no API definition (OpenAPI/Swagger, AsyncAPI, .proto or GraphQL schema)", "files": []}}
}

test_fail_text_ref_to_missing_file if {
	d := deny with input as object.union(base, {"catalog": catalog([api({"$text": "./openapi.yaml"})])})
	{x.message | some x in d} == {
		"catalog-info.yaml:24: spec.definition of API payments points at ./openapi.yaml, which is not in the repository",
		"catalog-info.yaml:16: catalog declares API payments, but there is no API definition (OpenAPI/Swagger, AsyncAPI, .proto or GraphQL schema)",
	}
}

test_fail_swagger_ui_config_is_not_a_spec if {
	i := object.union(base, {
		"dirs": {"api": true},
		"names": {"swagger.json": ["web/swagger.json"]},
		"files": {"web/swagger.json": {"content": "{\"dom_id\": \"#ui\"}"}},
	})
	count(deny) == 1 with input as i
}

test_applies_and_passes_on_a_contract_without_a_catalog if {
	i := object.union(base, {"exts": {".proto": ["proto/payments/v1/payments.proto"]}})
	not skip with input as i
	count(deny) == 0 with input as i
	pass_message == "API definitions: proto/payments/v1/payments.proto" with input as i
}

test_contracts_in_example_and_test_trees_do_not_count if {
	i := object.union(base, {
		"names": {"openapi.yaml": ["examples/petstore/openapi.yaml"], "schema.graphql": ["testdata/schema.graphql"]},
		"exts": {".proto": ["vendor/google/api/http.proto", "third_party/x.proto"]},
	})
	startswith(skip, "the component provides no API") with input as i
	j := object.union(i, {"catalog": catalog([component({"providesApis": ["payments"]})])})
	count(deny) == 1 with input as j
}

test_graphql_queries_are_not_a_schema if {
	startswith(skip, "the component provides no API") with input as object.union(base, {"component_type": "website", "exts": {".graphql": ["src/queries/user.graphql"]}})
}

# A component rule reads the judged component's own type.
test_api_dir_counts_for_the_component_type_not_the_root_type if {
	i := object.union(base, {
		"component_type": "library",
		"component": {"path": "svc", "type": "service", "shared_paths": []},
		"dirs": {"svc/api": true},
	})
	count(deny) == 1 with input as i
	i2 := object.union(i, {"component": {"path": "svc", "type": "library", "shared_paths": []}, "component_type": "service"})
	startswith(skip, "the component provides no API") with input as i2
}

# providesApis names an API entity that a shared catalog file declares.
test_provided_api_declared_in_another_file if {
	comp := object.union(component({"providesApis": ["api:default/payments"]}), {"path": "svc/catalog-info.yaml"})
	shared_api := object.union(api({"$text": "./payments.yaml"}), {"path": "apis/all.yaml"})
	i := object.union(base, {
		"component": {"path": "svc", "type": "service", "entity": comp, "entities": [comp], "shared_paths": []},
		"catalog": {"files": ["svc/catalog-info.yaml", "apis/all.yaml"], "errors": [], "entities": [comp, shared_api]},
		"names": {"payments.yaml": ["apis/payments.yaml"]},
	})
	count(deny) == 0 with input as i
	pass_message == "API definitions: apis/payments.yaml" with input as i
}

test_shared_contract_tree_naming_the_component if {
	i := object.union(base, {
		"component": {"path": "services/payments", "type": "service", "shared_paths": ["proto/payments/v1/payments.proto", "examples/payments/x.proto"]},
		"exts": {".proto": ["proto/payments/v1/payments.proto"]},
	})
	pass_message == "API definitions: proto/payments/v1/payments.proto" with input as i
}

# A kubebuilder operator (fluxcd/source-controller): api/ holds Go types, the
# CRDs in config/crd/bases/ are the API definition.
test_operator_crds_define_its_api if {
	i := object.union(base, {
		"dirs": {"api": true, "config/crd/bases": true},
		"exts": {".yaml": ["config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml", "config/manager/deployment.yaml"]},
	})
	count(deny) == 0 with input as i
}
