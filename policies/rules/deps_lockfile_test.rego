package goldenpath.rules.deps.lockfile

root(paths, files) := {"names": {p: [p] | some p in paths}, "files": files}

test_pass_node_and_go if {
	i := root(["package.json", "pnpm-lock.yaml", "go.mod", "go.sum"], {"go.mod": {"content": "module x\n\nrequire github.com/a/b v1.0.0\n"}})
	count(deny) == 0 with input as i
	pass_message == "dependencies locked: package.json by pnpm-lock.yaml, go.mod by go.sum" with input as i
}

test_pass_go_module_without_requirements if {
	i := root(["go.mod"], {"go.mod": {"content": "module x\n\ngo 1.22\n"}})
	count(deny) == 0 with input as i
	pass_message == "the root manifests declare no dependencies to lock" with input as i
}

test_fail_package_json_without_lock if {
	i := root(["package.json"], {"package.json": {"content": "{\n  \"dependencies\": {\n    \"express\": \"^4\"\n  }\n}\n"}})
	d := deny with input as i
	d == {{
		"message": "package.json has no committed lockfile (package-lock.json or npm-shrinkwrap.json or yarn.lock or pnpm-lock.yaml or bun.lock or bun.lockb): run `npm install` and commit the result",
		"files": [{"path": "package.json", "line": 1}],
	}}
}

test_fail_unread_go_mod_is_assumed_to_need_go_sum if {
	d := deny with input as root(["go.mod"], {"go.mod": {"skipped": "limit"}})
	{x.message | some x in d} == {"go.mod has no committed lockfile (go.sum): run `go mod tidy` and commit the result"}
}

test_fail_lockfile_in_subdirectory_does_not_count if {
	i := {"names": {"Cargo.toml": ["Cargo.toml"], "Cargo.lock": ["crates/x/Cargo.lock"]}, "files": {}}
	count(deny) == 1 with input as i
}

test_skip_without_manifest if {
	skip == "no package manifest at the repository root (package.json, go.mod, Cargo.toml, pyproject.toml, Gemfile, ...)" with input as {"names": {"package.json": ["web/package.json"]}, "files": {}}
}
