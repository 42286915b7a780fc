package goldenpath.lib

test_exists_uses_names_index if {
	i := {"names": {"main.tf": ["infra/main.tf"], "README.md": ["README.md"]}}
	exists("infra/main.tf") with input as i
	exists("README.md") with input as i
	not exists("main.tf") with input as i
	not exists("other/main.tf") with input as i
	existing(["main.tf", "README.md", "infra/main.tf"]) == ["README.md", "infra/main.tf"] with input as i
	first_existing(["x", "infra/main.tf", "README.md"]) == "infra/main.tf" with input as i
}

test_dirs_and_exts if {
	i := {"dirs": {"docs": true}, "exts": {".tf": ["a.tf"], ".go": []}}
	dir_exists("docs") with input as i
	not dir_exists("doc") with input as i
	has_ext(".tf") with input as i
	not has_ext(".go") with input as i
	not has_ext(".py") with input as i
}

test_content_and_unread if {
	i := {"files": {"a.md": {"content": "x"}, "b.md": {"skipped": "too_large"}}}
	content("a.md") == "x" with input as i
	not content("b.md") with input as i
	unread("b.md") with input as i
	not unread("a.md") with input as i
	not unread("c.md") with input as i
}

test_first_line_matching if {
	first_line_matching("a\nversion: 2\nversion: 3", `^version:`) == 2
	not first_line_matching("a\nb", `^c`)
	line_or("a\nb", `^c`, 7) == 7
	line_or("a\nb", `^b`, 7) == 2
}

test_non_empty_string if {
	non_empty_string("x")
	not non_empty_string("  ")
	not non_empty_string(3)
}

ent(kind, start) := {"path": "catalog-info.yaml", "line": start, "entity": {"kind": kind, "metadata": {"name": kind}}, "lines": {"metadata": start + 2, "metadata.annotations": start + 4, "spec": start + 6}}

test_main_entity_prefers_component if {
	i := {"catalog": {"files": ["catalog-info.yaml"], "entities": [ent("System", 1), ent("Component", 20)], "errors": []}}
	main_entity.entity.kind == "Component" with input as i
	components == [ent("Component", 20)] with input as i
	has_catalog with input as i
}

test_main_entity_falls_back_to_first if {
	i := {"catalog": {"files": ["catalog-info.yaml"], "entities": [ent("API", 1), ent("System", 20)], "errors": []}}
	main_entity.entity.kind == "API" with input as i
}

test_no_catalog if {
	not has_catalog with input as {"catalog": null}
	entities == [] with input as {"catalog": null}
	catalog_path == "catalog-info.yaml" with input as {}
}

test_line_of_falls_back_to_ancestors if {
	e := ent("Component", 10)
	line_of(e, "spec") == 16
	line_of(e, "spec.owner") == 16
	line_of(e, "metadata.annotations.backstage.io/techdocs-ref") == 14
	line_of(e, "metadata.tags.3") == 12
	line_of(e, "kind") == 10
	line_of({"entity": {}}, "kind") == 1
}

test_accessors_tolerate_wrong_types if {
	e := {"entity": {"metadata": "oops", "spec": [1]}}
	metadata(e) == {}
	spec(e) == {}
	annotations(e) == {}
	links(e) == []
	kind_of(e) == ""
}

# A component of a monorepo as the engine hands it in: its own indexes hold
# only the files below services/a/ (path_set keys relative to it), while the
# repository's hold every component's.
monorepo_input := {
	"path_set": {"README.md": true, "services/a/README.md": true, "services/a/k8s/app.yaml": true, "services/a/vendor/x/Chart.yaml": true, "services/b/README.md": true, "services/b/k8s/b.yaml": true},
	"names": {"README.md": ["README.md", "services/a/README.md", "services/b/README.md"], "Chart.yaml": ["services/a/vendor/x/Chart.yaml"], "app.yaml": ["services/a/k8s/app.yaml"], "b.yaml": ["services/b/k8s/b.yaml"]},
	"exts": {".md": ["README.md", "services/a/README.md", "services/b/README.md"], ".yaml": ["services/a/k8s/app.yaml", "services/a/vendor/x/Chart.yaml", "services/b/k8s/b.yaml"]},
	"dirs": {"services": true, "services/a": true, "services/a/k8s": true, "services/a/vendor": true, "services/a/vendor/x": true, "services/b": true, "services/b/k8s": true},
	"dir_names": {"k8s": ["services/a/k8s", "services/b/k8s"], "vendor": ["services/a/vendor"], "x": ["services/a/vendor/x"]},
	"component": {
		"path": "services/a",
		"path_set": {"README.md": true, "k8s/app.yaml": true, "vendor/x/Chart.yaml": true},
		"names": {"README.md": ["services/a/README.md"], "Chart.yaml": ["services/a/vendor/x/Chart.yaml"], "app.yaml": ["services/a/k8s/app.yaml"]},
		"exts": {".md": ["services/a/README.md"], ".yaml": ["services/a/k8s/app.yaml", "services/a/vendor/x/Chart.yaml"]},
		"dir_names": {"k8s": ["services/a/k8s"], "vendor": ["services/a/vendor"], "x": ["services/a/vendor/x"]},
	},
}

# The same component in a hand-built input (a rule test): only the
# repository's indexes, which the helpers filter to the component's directory.
hand_built_input := object.union(object.remove(monorepo_input, ["component", "path_set"]), {"component": {"path": "services/a"}})

# What each path helper answers for the component; booleans as [true] or [].
path_helper_answers := {
	"exists": [true | exists("README.md")],
	"exists not outside": [true | exists("../b/README.md")],
	"existing": existing(["x", "README.md", "k8s/app.yaml"]),
	"named": named("README.md"),
	"named leaves vendored trees out": named("Chart.yaml"),
	"named_in": named_in(["app.yaml", "b.yaml", "README.md"]),
	"with_ext": with_ext(".yaml"),
	"dirs_named": dirs_named({"k8s", "x"}),
	"existing_dirs": existing_dirs(["vendor", "k8s", "b"]),
	"present is repository-wide": [true | present("services/b/README.md")],
	"at_root": at_root(["README.md", "x"]),
}

test_path_helpers_look_below_the_component if {
	want := {
		"exists": [true],
		"exists not outside": [],
		"existing": ["services/a/README.md", "services/a/k8s/app.yaml"],
		"named": ["services/a/README.md"],
		"named leaves vendored trees out": [],
		"named_in": ["services/a/k8s/app.yaml", "services/a/README.md"],
		"with_ext": ["services/a/k8s/app.yaml"],
		"dirs_named": {"services/a/k8s"},
		"existing_dirs": ["vendor", "k8s"],
		"present is repository-wide": [true],
		"at_root": ["README.md"],
	}
	path_helper_answers == want with input as monorepo_input
	path_helper_answers == want with input as hand_built_input
}

# The skeletons of software templates are files of a project yet to be
# created: they are evidence of nothing in the template repository.
test_template_skeletons_are_no_evidence if {
	every c in [
		["templates/go/skeleton/k8s/deployment.yaml", false],
		["skeletons/manifests/base/deployment.yaml", false],
		["{{cookiecutter.slug}}/Dockerfile", false],
		["templates/java/${{values.name}}/src/test/AppTest.java", false],
		["deploy/k8s/deployment.yaml", true],
	] {
		is_evidence(c[0]) == c[1] with input as {}
	}
}

is_evidence(p) if evidence(p)

else := false
