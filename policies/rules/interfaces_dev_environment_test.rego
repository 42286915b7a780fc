package goldenpath.rules.interfaces.dev_environment

test_pass_each_tool if {
	every c in [
		[{"names": {"devcontainer.json": [".devcontainer/devcontainer.json"]}}, "development environment: Dev Container (.devcontainer/devcontainer.json)"],
		[{"names": {"devcontainer.json": [".devcontainer/go/devcontainer.json"]}}, "development environment: Dev Container (.devcontainer/go/devcontainer.json)"],
		[{"names": {".gitpod.yml": [".gitpod.yml"]}}, "development environment: Gitpod (.gitpod.yml)"],
		[{"names": {"devbox.json": ["devbox.json"]}}, "development environment: Devbox (devbox.json)"],
	] {
		count(deny) == 0 with input as c[0]
		pass_message == c[1] with input as c[0]
	}
}

test_fail_missing_or_in_examples if {
	count(deny) == 1 with input as {"names": {}}
	count(deny) == 1 with input as {"names": {"devcontainer.json": ["examples/.devcontainer/devcontainer.json"]}}
}
