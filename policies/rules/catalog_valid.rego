# METADATA
# title: Catalog file is valid for Backstage
# description: |
#   Every entity in the catalog files passes Backstage's own validation: the file
#   parses as Backstage's YAML parser parses it (duplicate keys are an error), it
#   holds at least one entity, the envelope has only apiVersion, kind, metadata,
#   spec (and relations, status), the field formats of names, namespaces, labels,
#   annotations, tags and links hold, and the spec fields each built-in kind
#   requires are there. An entity that fails is rejected by the catalog and
#   silently never shows up. The same entity listed twice in one file is a
#   warning in the pass message (Backstage keeps one); in two files it fails.
# custom:
#   aspect: adoption
#   level: 1
#   severity: error
#   applies_to: []
#   scope: repository
#   reads: []
#   remediation: |
#     Fix each field named in the message (the line is given). The formats are:
#     - apiVersion: `backstage.io/v1alpha1` for Component, API, System, Domain,
#       Resource, Group, User and Location.
#     - metadata.name: 1-63 characters, `[a-zA-Z0-9]` at both ends, `-`, `_` or `.`
#       between (`{{repository}}`, not `Payments API`).
#     - metadata.namespace: lower-case DNS label (`default`, `team-a`).
#     - labels: `[prefix/]name: value`, values 0-63 characters like names.
#     - annotations: `[prefix/]name: "string"` (quote numbers and booleans).
#     - tags: lower-case `[a-z0-9:+#]` words joined by `-` (`java`, `grpc-api`).
#     - links: each needs an absolute `url`; `title`, `icon`, `type` are strings.
#     - spec: Component and API need `type`, `lifecycle`, `owner` (API also
#       `definition`); Resource `type`, `owner`; System and Domain `owner`;
#       Group `type` and `children` (`[]` for none).
#
#     ```yaml
#     apiVersion: backstage.io/v1alpha1
#     kind: Component
#     metadata:
#       name: {{repository}}
#       tags: [java, payments]
#       links:
#         - url: https://grafana.example.com/d/payments
#           title: Dashboard
#     spec:
#       type: service
#       lifecycle: production
#       owner: group:payments-team
#     ```
package goldenpath.rules.catalog.valid

import data.goldenpath.lib

skip := "no catalog-info.yaml at the repository root (catalog.present reports that)" if not lib.has_catalog

# ---------------------------------------------------------------------------
# Findings: one deny per problem, "path:line: field ... message".

# A file with no entity (empty, or only comments) registers nothing in Backstage,
# silently: the component the file was meant to register never shows up.
deny contains {"message": msg, "files": [{"path": p, "line": 1}]} if {
	some p in lib.catalog_files
	not p in entity_files
	not p in error_files
	msg := sprintf("%s:1: holds no entity (the file is empty or only comments), so Backstage registers nothing from it", [p])
}

# The files with an entity, and with an error: worked out once, not once per
# catalog file (a monorepo lists hundreds).
entity_files := {e.path | some e in lib.entities}

error_files := {e.path | some e in lib.catalog_errors}

deny contains {"message": msg, "files": [{"path": err.path, "line": n}]} if {
	some err in lib.catalog_errors
	n := object.get(err, "line", 1)
	msg := sprintf("%s:%d: cannot be parsed: %s", [err.path, n, err.message])
}

deny contains {"message": msg, "files": [{"path": ent.path, "line": n}]} if {
	some [i, field, text] in problem
	ent := lib.entities[i]
	n := lib.line_of(ent, field)
	msg := sprintf("%s:%d: %s", [ent.path, n, text])
}

pass_message := sprintf("%d catalog entities in %s pass Backstage validation%s", [
	count(lib.entities),
	concat(", ", lib.catalog_files),
	concat("", [sprintf("; warning: %s", [w]) | some w in sort(warnings)]),
]) if lib.has_catalog

# ---------------------------------------------------------------------------
# Backstage's validators (catalog-model KubernetesValidatorFunctions and
# CommonValidatorFunctions), restated.

core_kinds := {"Component", "API", "System", "Domain", "Resource", "Group", "User", "Location"}

core_api_versions := {"backstage.io/v1alpha1", "backstage.io/v1beta1"}

template_api_versions := {"scaffolder.backstage.io/v1beta3", "backstage.io/v1beta2"}

dns_label(v) if {
	is_string(v)
	count(v) <= 63
	regex.match(`^[a-z0-9]+(-[a-z0-9]+)*$`, v)
}

dns_subdomain(v) if {
	is_string(v)
	count(v) >= 1
	count(v) <= 253
	every label in split(v, ".") {
		dns_label(label)
	}
}

object_name(v) if {
	is_string(v)
	count(v) >= 1
	count(v) <= 63
	regex.match(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, v)
}

# prefixed_name(v): "<name>" or "<dns-subdomain>/<name>" (label and annotation keys).
prefixed_name(v) if {
	is_string(v)
	parts := split(v, "/")
	count(parts) == 1
	object_name(parts[0])
}

prefixed_name(v) if {
	is_string(v)
	parts := split(v, "/")
	count(parts) == 2
	dns_subdomain(parts[0])
	object_name(parts[1])
}

api_version_format(v) if {
	is_string(v)
	parts := split(v, "/")
	count(parts) == 1
	regex.match(`^[a-zA-Z0-9]{1,63}$`, parts[0])
}

api_version_format(v) if {
	is_string(v)
	parts := split(v, "/")
	count(parts) == 2
	dns_subdomain(parts[0])
	regex.match(`^[a-zA-Z0-9]{1,63}$`, parts[1])
}

kind_format(v) if {
	is_string(v)
	regex.match(`^[a-zA-Z][a-zA-Z0-9]{0,62}$`, v)
}

label_value(v) if v == ""

label_value(v) if object_name(v)

tag_format(v) if {
	is_string(v)
	count(v) >= 1
	count(v) <= 63
	regex.match(`^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$`, v)
}

url_format(v) if {
	is_string(v)
	regex.match(`^[a-zA-Z][a-zA-Z0-9+.\-]*:[^\s]+$`, v)
	not bad_http_url(v)
}

bad_http_url(v) if {
	regex.match(`^(?i)https?:`, v)
	not regex.match(`^(?i)https?://[^/\s?#]+`, v)
}

# A $text / $json / $yaml placeholder, resolved by the catalog before validation.
placeholder(v) if {
	is_object(v)
	count(v) == 1
	some k, ref in v
	k in {"$text", "$json", "$yaml"}
	lib.non_empty_string(ref)
}

q(v) := json.marshal(v)

absent(obj, key) if object.get(obj, key, null) == null

# ---------------------------------------------------------------------------
# problem contains [entity index, field path for the line, message]

problem contains [i, "", msg] if {
	some i, ent in lib.entities
	not is_object(ent.entity)
	msg := sprintf("document %d is not a mapping: an entity needs apiVersion, kind, metadata and spec", [object.get(ent, "document", i) + 1])
}

# envelope -------------------------------------------------------------------

# Backstage's Entity schema allows no other top-level keys (additionalProperties
# is false); relations and status are the catalog's own, but the schema accepts them.
envelope_keys := {"apiVersion", "kind", "metadata", "spec", "relations", "status"}

problem contains [i, k, msg] if {
	some i, ent in lib.entities
	is_object(ent.entity)
	some k, _ in ent.entity
	not k in envelope_keys
	msg := sprintf("top-level key %s is not allowed: an entity has only apiVersion, kind, metadata and spec (and relations, status)%s", [q(k), misplaced_hint(k)])
}

# A key that belongs under metadata or spec and was indented one level too little.
misplaced_hint(k) := " (indent it under metadata)" if {
	k in {"name", "namespace", "title", "description", "labels", "annotations", "tags", "links"}
} else := " (indent it under spec)" if {
	k in {"type", "lifecycle", "owner", "system", "providesApis", "consumesApis", "dependsOn", "definition", "subcomponentOf"}
} else := ""

problem contains [i, "relations", "relations must be a list"] if {
	some i, ent in lib.entities
	v := ent.entity.relations
	not is_array(v)
}

problem contains [i, "status", "status must be a mapping"] if {
	some i, ent in lib.entities
	v := ent.entity.status
	not is_object(v)
}

# apiVersion -----------------------------------------------------------------

problem contains [i, "apiVersion", "apiVersion is required (backstage.io/v1alpha1)"] if {
	some i, ent in lib.entities
	is_object(ent.entity)
	absent(ent.entity, "apiVersion")
}

problem contains [i, "apiVersion", msg] if {
	some i, ent in lib.entities
	v := ent.entity.apiVersion
	v != null
	not api_version_format(v)
	msg := sprintf("apiVersion %s must be <group>/<version>, e.g. backstage.io/v1alpha1", [q(v)])
}

problem contains [i, "apiVersion", msg] if {
	some i, ent in lib.entities
	v := ent.entity.apiVersion
	api_version_format(v)
	ent.entity.kind in core_kinds
	not v in core_api_versions
	msg := sprintf("apiVersion %s is not valid for kind %s: use backstage.io/v1alpha1 (or backstage.io/v1beta1)", [q(v), ent.entity.kind])
}

problem contains [i, "apiVersion", msg] if {
	some i, ent in lib.entities
	v := ent.entity.apiVersion
	api_version_format(v)
	ent.entity.kind == "Template"
	not v in template_api_versions
	msg := sprintf("apiVersion %s is not valid for kind Template: use scaffolder.backstage.io/v1beta3", [q(v)])
}

# kind -----------------------------------------------------------------------

problem contains [i, "kind", "kind is required (Component, API, Resource, System, Domain, Group, User or Location)"] if {
	some i, ent in lib.entities
	is_object(ent.entity)
	absent(ent.entity, "kind")
}

problem contains [i, "kind", msg] if {
	some i, ent in lib.entities
	v := ent.entity.kind
	v != null
	not kind_format(v)
	msg := sprintf("kind %s must be a letter followed by letters and digits, at most 63 characters", [q(v)])
}

problem contains [i, "kind", msg] if {
	some i, ent in lib.entities
	v := ent.entity.kind
	kind_format(v)
	not v in core_kinds
	some k in core_kinds
	lower(k) == lower(v)
	msg := sprintf("kind %s must be written %s", [q(v), q(k)])
}

problem contains [i, "kind", msg] if {
	some i, ent in lib.entities
	v := ent.entity.kind
	kind_format(v)
	not v in core_kinds
	not lower(v) in {lower(k) | some k in core_kinds}
	v != "Template"
	is_string(ent.entity.apiVersion)
	startswith(ent.entity.apiVersion, "backstage.io/")
	msg := sprintf("kind %s is not a kind of %s (Component, API, Resource, System, Domain, Group, User, Location)", [q(v), ent.entity.apiVersion])
}

# metadata -------------------------------------------------------------------

problem contains [i, "metadata", "metadata is required (at least metadata.name)"] if {
	some i, ent in lib.entities
	is_object(ent.entity)
	absent(ent.entity, "metadata")
}

problem contains [i, "metadata", "metadata must be a mapping"] if {
	some i, ent in lib.entities
	m := ent.entity.metadata
	m != null
	not is_object(m)
}

problem contains [i, "metadata.name", "metadata.name is required"] if {
	some i, ent in lib.entities
	is_object(ent.entity.metadata)
	absent(ent.entity.metadata, "name")
}

problem contains [i, "metadata.name", msg] if {
	some i, ent in lib.entities
	v := ent.entity.metadata.name
	v != null
	not object_name(v)
	msg := sprintf("metadata.name %s must be 1-63 characters of [a-zA-Z0-9] separated by [-_.]", [q(v)])
}

problem contains [i, "metadata.namespace", msg] if {
	some i, ent in lib.entities
	v := ent.entity.metadata.namespace
	not dns_label(v)
	msg := sprintf("metadata.namespace %s must be 1-63 characters of [a-z0-9] separated by [-]", [q(v)])
}

problem contains [i, "metadata.title", msg] if {
	some i, ent in lib.entities
	v := ent.entity.metadata.title
	not lib.non_empty_string(v)
	msg := sprintf("metadata.title %s must be a non-empty string", [q(v)])
}

problem contains [i, "metadata.description", msg] if {
	some i, ent in lib.entities
	v := ent.entity.metadata.description
	not is_string(v)
	msg := sprintf("metadata.description %s must be a string", [q(v)])
}

# labels and annotations share the key format; only the value rule differs.

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	some section in ["labels", "annotations"]
	v := ent.entity.metadata[section]
	not is_object(v)
	field := concat(".", ["metadata", section])
	msg := sprintf("%s must be a mapping of strings", [field])
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	some section in ["labels", "annotations"]
	values := lib.metadata(ent)[section]
	is_object(values)
	some k, _ in values
	not prefixed_name(k)
	field := concat(".", ["metadata", section, k])
	msg := sprintf("metadata.%s key %s must be an optional DNS-subdomain prefix and \"/\", then 1-63 characters of [a-zA-Z0-9] separated by [-_.]", [section, q(k)])
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	values := lib.metadata(ent).labels
	is_object(values)
	some k, v in values
	not label_value(v)
	field := concat(".", ["metadata", "labels", k])
	msg := sprintf("%s value %s must be empty or 1-63 characters of [a-zA-Z0-9] separated by [-_.]", [field, q(v)])
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	values := lib.metadata(ent).annotations
	is_object(values)
	some k, v in values
	not is_string(v)
	field := concat(".", ["metadata", "annotations", k])
	msg := sprintf("%s value %s must be a string (quote it in YAML)", [field, q(v)])
}

# tags -----------------------------------------------------------------------

problem contains [i, "metadata.tags", "metadata.tags must be a list"] if {
	some i, ent in lib.entities
	v := ent.entity.metadata.tags
	not is_array(v)
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	tags := lib.metadata(ent).tags
	is_array(tags)
	some j, t in tags
	not tag_format(t)
	field := sprintf("metadata.tags.%d", [j])
	msg := sprintf("metadata.tags[%d] %s must be 1-63 characters of [a-z0-9:+#] separated by [-]", [j, q(t)])
}

# links ----------------------------------------------------------------------

problem contains [i, "metadata.links", "metadata.links must be a list"] if {
	some i, ent in lib.entities
	v := ent.entity.metadata.links
	not is_array(v)
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	some j, l in lib.links(ent)
	not is_object(l)
	field := sprintf("metadata.links.%d", [j])
	msg := sprintf("metadata.links[%d] must be a mapping with a url", [j])
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	some j, l in lib.links(ent)
	is_object(l)
	absent(l, "url")
	field := sprintf("metadata.links.%d", [j])
	msg := sprintf("metadata.links[%d].url is required", [j])
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	some j, l in lib.links(ent)
	v := l.url
	v != null
	not url_format(v)
	field := sprintf("metadata.links.%d", [j])
	msg := sprintf("metadata.links[%d].url %s must be an absolute URL", [j, q(v)])
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	some j, l in lib.links(ent)
	some attr in ["title", "icon", "type"]
	v := l[attr]
	not lib.non_empty_string(v)
	field := sprintf("metadata.links.%d", [j])
	msg := sprintf("metadata.links[%d].%s %s must be a non-empty string", [j, attr, q(v)])
}

# spec -----------------------------------------------------------------------

required_strings := {
	"Component": ["type", "lifecycle", "owner"],
	"API": ["type", "lifecycle", "owner", "definition"],
	"Resource": ["type", "owner"],
	"System": ["owner"],
	"Domain": ["owner"],
	"Group": ["type"],
}

optional_strings := {
	"Component": ["system", "subcomponentOf"],
	"API": ["system"],
	"Resource": ["system"],
	"System": ["domain"],
	"Domain": ["subdomainOf"],
	"Group": ["parent"],
}

optional_string_lists := {
	"Component": ["providesApis", "consumesApis", "dependsOn", "dependencyOf"],
	"Resource": ["dependsOn", "dependencyOf"],
	"Group": ["members"],
	"User": ["memberOf"],
}

problem contains [i, "spec", msg] if {
	some i, ent in lib.entities
	ent.entity.kind in core_kinds
	absent(ent.entity, "spec")
	msg := sprintf("spec is required for kind %s", [ent.entity.kind])
}

problem contains [i, "spec", "spec must be a mapping"] if {
	some i, ent in lib.entities
	v := ent.entity.spec
	v != null
	not is_object(v)
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	kind := ent.entity.kind
	is_object(ent.entity.spec)
	some f in required_strings[kind]
	absent(ent.entity.spec, f)
	field := concat(".", ["spec", f])
	msg := sprintf("%s is required for kind %s", [field, kind])
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	kind := ent.entity.kind
	some f in array.concat(object.get(required_strings, kind, []), object.get(optional_strings, kind, []))
	v := ent.entity.spec[f]
	v != null
	not lib.non_empty_string(v)
	not placeholder(v)
	field := concat(".", ["spec", f])
	msg := sprintf("%s %s must be a non-empty string", [field, q(v)])
}

problem contains [i, "spec.children", "spec.children is required for kind Group (use [] for none)"] if {
	some i, ent in lib.entities
	ent.entity.kind == "Group"
	is_object(ent.entity.spec)
	absent(ent.entity.spec, "children")
}

problem contains [i, field, msg] if {
	some i, ent in lib.entities
	kind := ent.entity.kind
	some f in array.concat(object.get(optional_string_lists, kind, []), [c | kind == "Group"; some c in ["children"]])
	v := ent.entity.spec[f]
	v != null
	not string_list(v)
	field := concat(".", ["spec", f])
	msg := sprintf("%s %s must be a list of entity references (strings)", [field, q(v)])
}

string_list(v) if {
	is_array(v)
	every x in v {
		lib.non_empty_string(x)
	}
}

# duplicates -----------------------------------------------------------------

entity_key(e) := sprintf("%s:%s/%s", [lower(e.kind), lower(ns), lower(e.metadata.name)]) if {
	ns := object.get(e.metadata, "namespace", "default")
	is_string(ns)
}

# [key, index] sorted, so duplicates are neighbours: n log n, not n squared.
keyed := sort([[entity_key(ent.entity), i] |
	some i, ent in lib.entities
	object_name(ent.entity.metadata.name)
	kind_format(ent.entity.kind)
])

# The same entity twice in one file: Backstage keeps one of them, so it is worth a
# warning but does not fail the rule. In two files it is a conflict: Backstage
# rejects the entity from the second location.
duplicates contains [i, j] if {
	some x, [key, i] in keyed
	x > 0
	[previous_key, j] := keyed[x - 1]
	previous_key == key
}

problem contains [i, "metadata.name", msg] if {
	some [i, j] in duplicates
	ent := lib.entities[i]
	other := lib.entities[j]
	ent.path != other.path
	msg := sprintf("%s %s is also defined in %s:%d: Backstage rejects the second as a conflicting entity", [
		ent.entity.kind, q(ent.entity.metadata.name),
		other.path, lib.line_of(other, "metadata.name"),
	])
}

warnings contains msg if {
	some [i, j] in duplicates
	ent := lib.entities[i]
	other := lib.entities[j]
	ent.path == other.path
	msg := sprintf("%s:%d: %s %s is listed twice in the file (also at line %d): Backstage keeps only one of them", [
		ent.path, lib.line_of(ent, "metadata.name"), ent.entity.kind, q(ent.entity.metadata.name),
		lib.line_of(other, "metadata.name"),
	])
}
