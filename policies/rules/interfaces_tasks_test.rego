package goldenpath.rules.interfaces.tasks

test_pass_each_kind if {
	every c in [
		[{"names": {"Makefile": ["Makefile"]}, "exts": {}, "dirs": {}}, "tasks written down: task runner Makefile"],
		[{"names": {"Taskfile.yml": ["Taskfile.yml"]}, "exts": {}, "dirs": {}}, "tasks written down: task runner Taskfile.yml"],
		[{"names": {"Cargo.toml": ["Cargo.toml"]}, "exts": {}, "dirs": {}}, "tasks written down: build tool Cargo.toml"],
		[{"names": {"Api.csproj": ["Api.csproj"]}, "exts": {".csproj": ["Api.csproj"]}, "dirs": {}}, "tasks written down: build tool Api.csproj"],
		[{"names": {"skaffold.yaml": ["skaffold.yaml"]}, "exts": {}, "dirs": {}}, "tasks written down: local and deploy runner skaffold.yaml"],
		[{"names": {"deploy.sh": ["scripts/deploy.sh"]}, "exts": {".sh": ["scripts/deploy.sh"]}, "dirs": {"scripts": true}}, "tasks written down: scripts in scripts/"],
	] {
		count(deny) == 0 with input as c[0]
		pass_message == c[1] with input as c[0]
	}
}

test_component_looks_in_its_directory if {
	i := {
		"component": {"path": "services/api", "type": "service"},
		"names": {"Makefile": ["Makefile"], "go.mod": ["services/api/go.mod"]},
		"exts": {}, "dirs": {},
	}
	pass_message == "tasks written down: build tool services/api/go.mod" with input as i
	d := deny with input as json.patch(i, [{"op": "replace", "path": "/names/go.mod", "value": []}])
	{x.message | some x in d} == {"no written-down tasks in services/api: no Makefile, Taskfile or justfile, no build tool manifest, no scripts/ directory"}
}

test_fail_nothing_or_only_in_examples if {
	count(deny) == 1 with input as {"names": {"Dockerfile": ["Dockerfile"]}, "exts": {}, "dirs": {}}
	count(deny) == 1 with input as {"names": {"Makefile": ["examples/Makefile"]}, "exts": {".csproj": ["test/A/A.csproj"]}, "dirs": {"examples": true}}
}

# Polly: a .slnx solution and a Cake build script.
test_dotnet_solution_and_cake if {
	i := {"names": {"build.cake": ["build.cake"]}, "exts": {".slnx": ["Polly.slnx"]}, "dirs": {}}
	pass_message == "tasks written down: build tool Polly.slnx, task runner build.cake" with input as i
}
