# METADATA
# title: Shared helpers for the bundled golden-path rules
# description: |
#   Lookups over the input document's indexes (names, exts, dirs, files) and the
#   parsed Backstage catalog. Every helper is O(1) or bounded by a small fixed list,
#   so rules never have to walk input.paths.
package goldenpath.lib

# ---------------------------------------------------------------------------
# Where a rule looks. A component rule judges input.component and looks in its
# directory; a repository rule (input.component null) looks from the root. The
# path helpers take paths relative to that directory (base) and return
# repository paths, which is what content() and findings use.

# component is the component being judged; undefined for a repository rule.
component := c if {
	c := input.component
	is_object(c)
}

# base is the directory the helpers look in, with a trailing slash, or "" for
# the root.
base := concat("", [component.path, "/"]) if {
	is_string(component.path)
	not component.path in {"", "."}
} else := ""

# component_type is the type of the component judged; for a repository rule,
# the root component's.
component_type := component.type if is_string(component.type)

else := input.component_type

# path(rel) is the repository path of rel, relative to base.
path(rel) := concat("", [base, rel])

# here(p) is true when the repository path p is inside base.
here(p) if startswith(p, base)

# The indexes the path helpers look in are the repository's (input.path_set,
# names, exts, dir_names), through the engine's builtins goldenpath.lookup and
# goldenpath.existing: the lists are sorted, so a component's paths are one run
# of each, found by binary search rather than by trying every component's
# paths. An input built by hand (a rule test) may leave out path_set:
# all_paths is then worked out from names.

# The helpers bind these rules (and base) to local variables before a loop: a
# rule named inside a loop is looked up again on every iteration, which costs
# more than the lookup it guards.

# all_paths maps every path in the snapshot to true.
all_paths := s if {
	s := input.path_set
	is_object(s)
} else := {p: true | some ps in object.get(input, "names", {}); some p in ps}

# all_dirs maps every directory that holds a file to true.
all_dirs := object.get(input, "dirs", {})

names_index := object.get(input, "names", {})

exts_index := object.get(input, "exts", {})

dir_names_index := object.get(input, "dir_names", {})

# exists(rel) is true when a file with exactly this path (relative to base) is
# in the snapshot: one lookup.
exists(rel) if goldenpath.existing(all_paths, [rel], base) != []

# present(p) is true when the repository path p is a file in the snapshot,
# wherever base is.
present(p) if goldenpath.existing(all_paths, [p], "") != []

# existing(rels) is the repository paths of the rels that exist, in the order
# given.
existing(rels) := goldenpath.existing(all_paths, rels, base)

# first_existing(rels) is the repository path of the first rel that exists.
first_existing(rels) := existing(rels)[0]

# dir_exists(d) is true when d (relative to base, no trailing slash) holds at
# least one file.
dir_exists(d) if goldenpath.existing(all_dirs, [d], base) != []

# existing_dirs(ds) is the ds (relative to base) that hold a file, in the order
# given: one call for a list.
existing_dirs(ds) := [trim_prefix(d, b) | b := base; some d in goldenpath.existing(all_dirs, ds, b)]

# with_ext(ext) is every path below base with this lower-case extension (".tf"),
# outside the non-evidence trees.
with_ext(ext) := goldenpath.lookup(exts_index, [ext], base, non_evidence_dirs)

# has_ext(ext) is true when any file below base has this extension.
has_ext(ext) if count(with_ext(ext)) > 0

# named(name) is every path below base whose base name is exactly name, outside
# the trees that are not the component's own evidence (see evidence).
named(name) := goldenpath.lookup(names_index, [name], base, non_evidence_dirs)

# named_in(names) is named(n) of each name in turn, in one call: a rule looking
# for any of many names pays for one call, not one per name.
named_in(names) := goldenpath.lookup(names_index, names, base, non_evidence_dirs)

# with_ext_in(exts) is with_ext(x) of each extension in turn, in one call.
with_ext_in(exts) := goldenpath.lookup(exts_index, exts, base, non_evidence_dirs)

# ---------------------------------------------------------------------------
# Evidence hygiene. Files under vendored, generated, example, fixture and test
# trees are someone else's (or deliberately fake), so they never make a presence
# rule pass: conftest's policy examples are not its infrastructure, sloth's
# broken test SLOs are not its SLOs, vendor/…/docker-compose.yml is not a
# deployment. The list comes from the layouts of real repositories; "spec" is
# not in it (API specs live there), nor "build" or "dist" (Dockerfiles and
# deployment scripts do).
non_evidence_dirs := foreign_dirs | {
	"test", "tests", "testdata", "test-data", "test_data", "testing", "__tests__", "e2e", "integration-tests",
	"fixture", "fixtures", "__fixtures__", "test-fixtures", "testfixtures", "mocks", "__mocks__", "__snapshots__",
	"generated", "__generated__", "gen-src",
}

# foreign_dirs are the trees of someone else's code (vendored, installed), of
# examples, and the skeletons software templates fill in for a project yet to
# be created: never a component's own, not even its tests (measurement.tests).
# A directory named with a template placeholder ({{cookiecutter.name}},
# ${{ values.name }}) is a skeleton too (see foreign_dir).
foreign_dirs := {
	"vendor", "node_modules", "bower_components", "jspm_packages", "third_party", "third-party", "thirdparty",
	".terraform", ".terragrunt-cache", "site-packages", ".venv", "venv",
	"example", "examples", "_examples", "sample", "samples", "demo", "demos",
	"skeleton", "skeletons",
}

# foreign_dir(d) is true when the directory name d is one of foreign_dirs or a
# template placeholder.
foreign_dir(d) if lower(d) in foreign_dirs

foreign_dir(d) if contains(d, "{{")

# evidence(p) is true when no directory of p, below base, is such a tree. A
# component declared inside one (examples/demo/catalog-info.yaml) still counts
# its own files: only the part of the path below base is looked at.
evidence(p) if evidence_below(p, base)

# evidence_below(p, dir) is evidence judged from dir ("" for the root).
evidence_below(p, dir) if {
	parts := split(trim_prefix(p, dir), "/")
	every d in array.slice(parts, 0, count(parts) - 1) {
		not lower(d) in non_evidence_dirs
		not contains(d, "{{")
	}
}

# dirs_named(names) is every directory below base, at any depth and outside the
# non-evidence trees, whose own name is in names ("cron/k8s" for "k8s").
dirs_named(names) := {d |
	some d in goldenpath.lookup(dir_names_index, names, base, non_evidence_dirs)
	parts := split(d, "/")
	evidence_name(parts[count(parts) - 1])
}

# evidence_name(d) is true when a directory named d is not itself one of the
# non-evidence trees.
evidence_name(d) if {
	not lower(d) in non_evidence_dirs
	not contains(d, "{{")
}

# ---------------------------------------------------------------------------
# Fallbacks beyond the component's directory, for the rules whose convention
# allows one. A root README does not document a sub-package, and a root
# Dockerfile does not deploy it, so nothing here is used by default.

# shared_paths are the files outside every component's directory whose path
# names the component (deploy/payments/, runbooks/payments.md,
# slos/payments-slo.yaml): a monorepo's shared trees, one entry per component.
# Empty for a repository rule and for a component at the root (whose own
# directory is the whole repository). Non-evidence trees are left out.
shared_paths := [p |
	some p in object.get(component, "shared_paths", [])
	evidence_below(p, "")
] if base != ""

else := []

# shared_named(names) is every shared path whose base name is in names.
shared_named(names) := [p |
	some p in shared_paths
	parts := split(p, "/")
	parts[count(parts) - 1] in names
]

# shared_with_ext(exts) is every shared path with one of these lower-case
# extensions.
shared_with_ext(exts) := [p |
	some p in shared_paths
	some x in exts
	endswith(lower(p), x)
]

# shared_under(dirs) is every shared path below a directory whose own name is
# in dirs (runbooks/payments.md for "runbooks").
shared_under(dirs) := [p |
	some p in shared_paths
	parts := split(p, "/")
	some d in array.slice(parts, 0, count(parts) - 1)
	d in dirs
]

# above is the directories above base, nearest first, each with a trailing
# slash, ending with "" (the root); empty at the root. A workspace keeps one
# lockfile at its root for every package below it.
above := array.concat(
	[concat("", [concat("/", array.slice(parts, 0, count(parts) - i)), "/"]) | some i, _ in parts; i > 0],
	[""],
) if {
	base != ""
	parts := split(trim_suffix(base, "/"), "/")
} else := []

# at_root(rels) is the rels that exist at the repository root, in order:
# release and repository tooling that serves every component.
at_root(rels) := goldenpath.existing(all_paths, rels, "")

# read_files is every path below base whose content the engine was asked to read
# (it matched some rule's reads), read or not.
read_files contains p if {
	some p in files_here
	evidence(p)
}

# files_here is the paths of input.files below base. The engine lists each
# component's own (input.component.files), so that the components of a monorepo
# do not each walk every component's files.
files_here := input.component.files if is_array(input.component.files)

else := [p | some p, _ in input.files; here(p)]

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

# all_entities is every entity of every catalog file.
all_entities := es if {
	es := input.catalog.entities
	is_array(es)
} else := []

# catalog_files are the files that describe what is judged: the component's
# descriptor (every catalog file for a component inferred from the repository),
# or every catalog file for a repository rule.
catalog_files := component.catalog_files if is_array(component.catalog_files)

else := fs if {
	fs := input.catalog.files
	is_array(fs)
} else := []

catalog_errors := es if {
	es := input.catalog.errors
	is_array(es)
} else := []

# entities are the entities of catalog_files; for a component rule, other
# Components in the same file are left out (each is judged on its own).
entities := all_entities if not component

entities := component.entities if is_array(component.entities)

else := [e |
	some e in all_entities
	e.path in catalog_files
	not other_component(e)
] if component

other_component(e) if {
	kind_of(e) == "Component"
	not same_entity(e, component.entity)
}

same_entity(a, b) if {
	a.path == b.path
	a.document == b.document
}

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
