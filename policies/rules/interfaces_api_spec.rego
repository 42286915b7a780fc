# METADATA
# title: Provided APIs have a machine-readable definition
# description: |
#   A component that provides an API (spec.providesApis in the catalog, an API
#   entity in its catalog file, a service with an api/ directory, or an API
#   contract in its own tree) ships the API's contract: an OpenAPI/Swagger or
#   AsyncAPI document, Protocol Buffers (.proto), or a GraphQL schema
#   (schema.graphql, .graphqls). Contracts under example, test, fixture and
#   vendored trees do not count. An API entity's `definition: {$text: ./path}`
#   must point at a file that exists.
# custom:
#   aspect: interfaces
#   level: 2
#   severity: warning
#   applies_to: []
#   scope: component
#   reads: ["**/{openapi,swagger,asyncapi}*.{yaml,yml,json}"]
#   remediation: |
#     Commit the API contract and register it as an API entity next to the
#     Component, so consumers can discover it in the catalog:
#
#     ```yaml
#     # catalog-info.yaml (add as a second document)
#     ---
#     apiVersion: backstage.io/v1alpha1
#     kind: API
#     metadata:
#       name: {{repository}}
#     spec:
#       type: openapi          # asyncapi | grpc | graphql
#       lifecycle: production
#       owner: group:payments-team
#       definition:
#         $text: ./api/openapi.yaml
#     ```
#
#     and reference it from the Component with `spec.providesApis: [{{repository}}]`.
package goldenpath.rules.interfaces.api_spec

import data.goldenpath.lib

# --- Does the component provide an API? -------------------------------------

reasons contains [1, ent.path, n, sprintf("Component %s lists spec.providesApis", [object.get(lib.metadata(ent), "name", "(unnamed)")])] if {
	some ent in lib.components
	apis := lib.spec(ent).providesApis
	is_array(apis)
	count(apis) > 0
	n := lib.line_of(ent, "spec.providesApis")
}

reasons contains [2, ent.path, n, sprintf("catalog declares API %s", [object.get(lib.metadata(ent), "name", "(unnamed)")])] if {
	some ent in lib.entities
	lib.kind_of(ent) == "API"
	n := lib.line_of(ent, "kind")
}

reasons contains [3, "api", 0, "the service has an api/ directory"] if {
	lib.component_type == "service"
	lib.dir_exists("api")
}

# A contract in the component's own tree (not an example or test tree) says it
# serves an API even without a catalog: most repositories have none.
reasons contains [4, p, 0, sprintf("the component holds an API definition (%s)", [p])] if {
	p := sort([d | some d in definitions; not contains(d, " ")])[0]
}

skip := "the component provides no API: no providesApis or API entity in the catalog, no api/ directory, and no OpenAPI, AsyncAPI, protobuf or GraphQL schema outside example and test trees" if count(reasons) == 0

# --- Where is the definition? ------------------------------------------------

spec_names := [
	"openapi.yaml", "openapi.yml", "openapi.json", "swagger.yaml", "swagger.yml", "swagger.json",
	"asyncapi.yaml", "asyncapi.yml", "asyncapi.json", "schema.graphql", "schema.graphqls",
]

# .graphql alone is not here: a web client keeps its queries in .graphql files,
# while a schema is schema.graphql or a .graphqls file.
spec_exts := [".proto", ".graphqls"]

looks_like_spec(text) if regex.match(`(?m)(^|[{,])\s*["']?(openapi|swagger|asyncapi)["']?\s*:`, text)

# Named like a spec: count it unless we read it and it is something else
# (a swagger-ui config, say).
definitions contains p if {
	some p in lib.named_in(spec_names)
	not not_a_spec(p)
}

definitions contains p if {
	some p in lib.read_files
	regex.match(`(^|/)(openapi|swagger|asyncapi)[^/]*\.(ya?ml|json)$`, p)
	not not_a_spec(p)
}

definitions contains lib.with_ext(ext)[0] if {
	exts := lib.exts_here
	some ext in spec_exts
	exts[ext]
	lib.has_ext(ext)
}

# A monorepo's shared contract tree names the component (proto/payments/v1/,
# openapi/payments.yaml): its contract, kept outside its directory.
definitions contains p if {
	lib.shared_paths != []
	some p in lib.shared_named(spec_names)
	not not_a_spec(p)
}

definitions contains p if {
	lib.shared_paths != []
	p := lib.shared_with_ext(spec_exts)[0]
}

not_a_spec(p) if {
	text := lib.content(p)
	not looks_like_spec(text)
}

# The API entities that describe the component: those in its own descriptor,
# and those its spec.providesApis names wherever the catalog declares them
# (entity references are global: a monorepo often lists every API in one file).
provided := {lower(trim_prefix(ref_name(r), "api:")) |
	some ent in lib.components
	some r in object.get(lib.spec(ent), "providesApis", [])
	is_string(r)
}

# ref_name("api:default/payments") is "payments".
ref_name(r) := parts[count(parts) - 1] if parts := split(r, "/")

apis contains ent if {
	some ent in lib.entities
	lib.kind_of(ent) == "API"
}

apis contains ent if {
	count(provided) > 0 # spares a monorepo's components a walk of every entity
	some ent in lib.all_entities
	lib.kind_of(ent) == "API"
	lower(object.get(lib.metadata(ent), "name", "")) in provided
}

# API entities' definitions: inline text, a URL, or a file in this repository.
definition_ref(ent) := ref if {
	d := lib.spec(ent).definition
	is_object(d)
	some k in ["$text", "$yaml", "$json"]
	ref := d[k]
	is_string(ref)
}

local_ref(ref) := trim_prefix(ref, "./") if {
	not regex.match(`^[a-zA-Z][a-zA-Z0-9+.-]*:`, ref)
	not startswith(ref, "../")
	not startswith(ref, "/")
}

definitions contains sprintf("%s (inline definition of API %s)", [ent.path, object.get(lib.metadata(ent), "name", "(unnamed)")]) if {
	some ent in apis
	lib.non_empty_string(lib.spec(ent).definition)
}

definitions contains ref if {
	some ent in apis
	ref := definition_ref(ent)
	not local_ref(ref)
}

definitions contains path if {
	some ent in apis
	path := from_file(ent, local_ref(definition_ref(ent)))
	lib.present(path)
}

# from_file(ent, rel) is rel resolved against the directory of the entity's
# file, as Backstage resolves $text references.
from_file(ent, rel) := concat("/", array.concat(dir, [rel])) if {
	parts := split(ent.path, "/")
	dir := array.slice(parts, 0, count(parts) - 1)
}

# --- Findings ------------------------------------------------------------------

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	some ent in apis
	ref := definition_ref(ent)
	path := from_file(ent, local_ref(ref))
	not lib.present(path)
	n := lib.line_of(ent, "spec.definition")
	msg := sprintf("%s:%d: spec.definition of API %s points at %s, which is not in the repository", [ent.path, n, object.get(lib.metadata(ent), "name", "(unnamed)"), ref])
}

deny contains {"message": msg, "files": files} if {
	count(reasons) > 0
	count(definitions) == 0
	[_, path, n, why] := sort(reasons)[0]
	files := [{"path": path, "line": n} | n > 0]
	msg := sprintf("%s%s, but there is no API definition (OpenAPI/Swagger, AsyncAPI, .proto or GraphQL schema)", [location(path, n), why])
}

location(path, n) := sprintf("%s:%d: ", [path, n]) if n > 0

location(_, 0) := ""

pass_message := sprintf("API definitions: %s", [concat(", ", array.slice(sort(definitions), 0, 5))]) if {
	count(reasons) > 0
	count(definitions) > 0
}
