package goldenpath.rules.releases.changelog

test_pass_each_kind_of_evidence if {
	every c in [
		[{"names": {"CHANGELOG.md": ["CHANGELOG.md"]}, "dirs": {}}, "release notes: CHANGELOG.md"],
		[{"names": {}, "dirs": {".changeset": true}}, "release notes: .changeset/"],
		[{"names": {"release-please-config.json": ["release-please-config.json"]}, "dirs": {}}, "release notes: release-please (release-please-config.json)"],
		[{"names": {"release.yml": [".github/release.yml"]}, "dirs": {}}, "release notes: GitHub release notes (.github/release.yml)"],
		[{"names": {"ROADMAP.md": ["ROADMAP.md"]}, "dirs": {}}, "release notes: roadmap ROADMAP.md"],
		# commons-lang, grafana/helm-charts, a Rust workspace
		[{"names": {"RELEASE-NOTES.txt": ["RELEASE-NOTES.txt"]}, "dirs": {}}, "release notes: RELEASE-NOTES.txt"],
		[{"names": {"changes.xml": ["src/changes/changes.xml"]}, "dirs": {}}, "release notes: src/changes/changes.xml"],
		[{"names": {"cr.yaml": ["cr.yaml"]}, "dirs": {}}, "release notes: chart-releaser (cr.yaml)"],
		[{"names": {"release-plz.toml": ["release-plz.toml"]}, "dirs": {}}, "release notes: release-plz (release-plz.toml)"],
	] {
		count(deny) == 0 with input as c[0]
		pass_message == c[1] with input as c[0]
	}
}

test_component_looks_in_its_own_directory if {
	i := {"component": {"path": "packages/api"}, "names": {"CHANGELOG.md": ["CHANGELOG.md", "packages/api/CHANGELOG.md"]}, "dirs": {}}
	pass_message == "release notes: packages/api/CHANGELOG.md" with input as i
	count(deny) == 1 with input as {"component": {"path": "packages/web"}, "names": {"CHANGELOG.md": ["packages/api/CHANGELOG.md"]}, "dirs": {}}
}

test_fail_nothing if {
	count(deny) == 1 with input as {"names": {"README.md": ["README.md"]}, "dirs": {}}
}
