# METADATA
# title: Shared helpers for the bundled golden-path rules
# description: |
#   Lookups over the input document's indexes (names, exts, dirs, files) and the
#   parsed Backstage catalog. Every helper is O(1) or bounded by a small fixed list,
#   so rules never have to walk input.paths.
package goldenpath.lib

# exists(path) is true when a file with exactly this path is in the snapshot.
# It goes through the base-name index, so it costs one map lookup plus a scan of
# the (usually tiny) list of paths sharing that base name.
exists(path) if {
	parts := split(path, "/")
	path in input.names[parts[count(parts) - 1]]
}

# existing(paths) is the subset of paths that exist, in the order given.
existing(paths) := [p | some p in paths; exists(p)]

# first_existing(paths) is the first path of the list that exists.
first_existing(paths) := existing(paths)[0]

# dir_exists(d) is true when d (no trailing slash) holds at least one file.
dir_exists(d) if input.dirs[d]

# has_ext(ext) is true when any file has this lower-case extension (".tf").
has_ext(ext) if count(object.get(input.exts, ext, [])) > 0

# named(name) is every path whose base name is exactly name.
named(name) := object.get(input.names, name, [])

# content(path) is the text of a read file; undefined when not read.
content(path) := c if {
	c := input.files[path].content
	is_string(c)
}

# unread(path) is true when the path matched a reads glob but has no content.
unread(path) if {
	f := input.files[path]
	not is_string(object.get(f, "content", null))
}

# first_line_matching(text, pattern) is the 1-based number of the first line
# matching the regular expression; undefined when none does.
first_line_matching(text, pattern) := min({n |
	some i, l in split(text, "\n")
	regex.match(pattern, l)
	n := i + 1
})

# line_or(text, pattern, fallback) is first_line_matching, or fallback.
line_or(text, pattern, _) := n if n := first_line_matching(text, pattern)

line_or(text, pattern, fallback) := fallback if not first_line_matching(text, pattern)

# non_empty_string(x) is true for a string with a non-blank character.
non_empty_string(x) if {
	is_string(x)
	trim_space(x) != ""
}

# ---------------------------------------------------------------------------
# Backstage catalog (catalog-info.yaml / .yml at the repository root)

catalog_files := fs if {
	fs := input.catalog.files
	is_array(fs)
} else := []

catalog_errors := es if {
	es := input.catalog.errors
	is_array(es)
} else := []

entities := es if {
	es := input.catalog.entities
	is_array(es)
} else := []

has_catalog if count(catalog_files) > 0

# catalog_path is the catalog file findings point at.
catalog_path := catalog_files[0] if has_catalog

catalog_path := "catalog-info.yaml" if not has_catalog

# kind_of(ent) is the entity's kind, "" when absent.
kind_of(ent) := k if {
	k := ent.entity.kind
	is_string(k)
} else := ""

component_indexes := {i | some i, ent in entities; kind_of(ent) == "Component"}

# components is every Component entity, in file order.
components := [entities[i] | some i in sort(component_indexes)]

# main_entity: the first Component, or else the first entity.
main_entity := entities[min(component_indexes)] if count(component_indexes) > 0

main_entity := entities[0] if {
	count(component_indexes) == 0
	count(entities) > 0
}

# spec(ent) and metadata(ent) are the objects, or {} when absent or not objects.
spec(ent) := s if {
	s := ent.entity.spec
	is_object(s)
} else := {}

metadata(ent) := m if {
	m := ent.entity.metadata
	is_object(m)
} else := {}

annotations(ent) := a if {
	a := metadata(ent).annotations
	is_object(a)
} else := {}

links(ent) := l if {
	l := metadata(ent).links
	is_array(l)
} else := []

# line_of(ent, field) is the line of a dotted field path, falling back to the
# closest recorded ancestor ("metadata.tags.2" -> "metadata.tags" -> "metadata"),
# then to the line where the entity's document starts.
line_of(ent, field) := n if {
	lines := object.get(ent, "lines", {})
	is_object(lines)
	n := lines[field]
} else := n if {
	lines := object.get(ent, "lines", {})
	is_object(lines)
	candidates := [lines[p] |
		some p in ancestors(field)
		lines[p]
	]
	n := candidates[0]
} else := object.get(ent, "line", 1)

# ancestors(field) is the one- and two-level prefixes of a dotted field path,
# nearest first: "metadata.annotations.backstage.io/techdocs-ref" gives
# ["metadata.annotations", "metadata"]. The lines map holds at most three
# levels, so these are the only ancestors it can record.
ancestors(field) := [p |
	parts := split(field, ".")
	some p in array.concat(
		[concat(".", [parts[0], parts[1]]) | count(parts) > 2],
		[parts[0] | count(parts) > 1],
	)
]
