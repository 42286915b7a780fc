package goldenpath.rules.docs.techdocs

catalog_with(ref) := {
	"files": ["catalog-info.yaml"],
	"errors": [],
	"entities": [{
		"path": "catalog-info.yaml", "document": 0, "line": 1,
		"entity": {"kind": "Component", "metadata": {"name": "x", "annotations": {"backstage.io/techdocs-ref": ref}}},
		"lines": {"metadata.annotations.backstage.io/techdocs-ref": 6},
	}],
}

test_pass_mkdocs_and_docs_dir if {
	i := {"names": {"mkdocs.yml": ["mkdocs.yml"], "index.md": ["docs/index.md"]}, "dirs": {"docs": true}, "catalog": null}
	count(deny) == 0 with input as i
	pass_message == "mkdocs.yml and docs/ are ready for TechDocs; add backstage.io/techdocs-ref: dir:. to catalog-info.yaml to show them in Backstage" with input as i
}

test_pass_annotation_dir_with_mkdocs if {
	i := {"names": {"mkdocs.yaml": ["mkdocs.yaml"]}, "dirs": {"docs": true}, "catalog": catalog_with("dir:.")}
	count(deny) == 0 with input as i
	pass_message == "TechDocs built from mkdocs.yaml (backstage.io/techdocs-ref: dir:.)" with input as i
}

test_pass_annotation_subdir if {
	i := {"names": {"mkdocs.yml": ["site/mkdocs.yml"]}, "dirs": {}, "catalog": catalog_with("dir:./site/")}
	count(deny) == 0 with input as i
}

test_pass_annotation_url if {
	i := {"names": {}, "dirs": {}, "catalog": catalog_with("url:https://gitlab.example.com/team/docs")}
	count(deny) == 0 with input as i
	pass_message == "TechDocs published from https://gitlab.example.com/team/docs (backstage.io/techdocs-ref)" with input as i
}

test_fail_annotation_dir_without_mkdocs if {
	d := deny with input as {"names": {}, "dirs": {"docs": true}, "catalog": catalog_with("dir:.")}
	d == {{
		"message": `catalog-info.yaml:6: backstage.io/techdocs-ref is "dir:." but the repository root has no mkdocs.yml, so TechDocs cannot build`,
		"files": [{"path": "catalog-info.yaml", "line": 6}],
	}}
}

test_fail_malformed_annotation if {
	d := deny with input as {"names": {}, "dirs": {}, "catalog": catalog_with("docs")}
	{x.message | some x in d} == {`catalog-info.yaml:6: backstage.io/techdocs-ref "docs" must be dir:<path> or url:<location>`}
}

test_fail_nothing if {
	d := deny with input as {"names": {}, "dirs": {"src": true}, "catalog": null}
	{x.message | some x in d} == {"no TechDocs: no mkdocs.yml at the root and no backstage.io/techdocs-ref annotation"}
}

test_fail_docs_dir_without_mkdocs if {
	every c in [
		[{"index.md": ["docs/index.md"]}, {".md": ["docs/index.md"]}, " (docs/ holds Markdown pages: add a mkdocs.yml for them)"],
		[{"conf.py": ["docs/conf.py"]}, {".rst": ["docs/index.rst"]}, " (docs/ is built with Sphinx, which TechDocs does not build)"],
		[{"docfx.json": ["docs/docfx.json"]}, {".md": ["docs/index.md"]}, " (docs/ is built with DocFX, which TechDocs does not build)"],
		[{}, {".png": ["docs/img/arch.png"]}, ""],
	] {
		i := {"names": c[0], "exts": c[1], "dirs": {"docs": true}, "catalog": null}
		{x.message | some x in deny} == {concat("", ["no TechDocs: no mkdocs.yml at the root and no backstage.io/techdocs-ref annotation", c[2]])} with input as i
	}
}

test_fail_mkdocs_without_docs_dir if {
	d := deny with input as {"names": {"mkdocs.yml": ["mkdocs.yml"]}, "dirs": {}, "catalog": null}
	d == {{"message": "mkdocs.yml has no docs/ directory next to it, and there is no backstage.io/techdocs-ref annotation", "files": [{"path": "mkdocs.yml", "line": 1}]}}
}

test_fail_mkdocs_only_in_subdirectory if {
	count(deny) == 1 with input as {"names": {"mkdocs.yml": ["test-fixtures/mkdocs.yml"]}, "dirs": {"docs": true}, "catalog": null}
}
