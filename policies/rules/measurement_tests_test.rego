package goldenpath.rules.measurement.tests

inp(paths, dir_names) := {
	"exts": {ext: [p | some p in paths; endswith(p, ext)] | some ext in [".go", ".py", ".ts", ".java", ".rb", ".hcl"]},
	"names": {"Gemfile": [p | some p in paths; endswith(p, "Gemfile")]},
	"dir_names": dir_names,
}

test_pass_each_language if {
	every c in [
		[["main.go", "main_test.go"], "automated tests: 1 test files (main_test.go)"],
		[["pkg/test_api.py"], "automated tests: 1 test files (pkg/test_api.py)"],
		[["src/app.spec.ts", "src/app.ts"], "automated tests: 1 test files (src/app.spec.ts)"],
		[["src/test/java/a/AppTest.java"], "automated tests: 1 test files (src/test/java/a/AppTest.java)"],
		[["tests/main.tftest.hcl"], "automated tests: 1 test files (tests/main.tftest.hcl)"],
	] {
		i := inp(c[0], {})
		count(deny) == 0 with input as i
		pass_message == c[1] with input as i
	}
}

test_pass_test_directory if {
	i := inp(["charts/x/templates/tests/conn.yaml"], {"tests": ["charts/x/templates/tests"]})
	pass_message == "automated tests: tests in charts/x/templates/tests" with input as i
}

test_pass_chart_testing if {
	i := object.union(inp(["charts/argo/ci/ha-values.yaml"], {"ci": [".github/ci", "charts/argo/ci"]}), {"names": {"Chart.yaml": ["charts/argo/Chart.yaml"]}})
	pass_message == "automated tests: tests in charts/argo/ci" with input as i
	count(deny) == 1 with input as object.union(inp([], {"ci": [".github/ci"]}), {"names": {"Chart.yaml": ["charts/argo/Chart.yaml"]}})
}

test_python_prefix_is_the_file_name if {
	count(deny) == 1 with input as inp(["pkg/test_utils/helpers.py"], {})
	count(deny) == 0 with input as inp(["pkg/test_utils/test_helpers.py"], {})
}

test_spec_directory_only_for_rspec if {
	count(deny) == 1 with input as inp(["spec/openapi.yaml"], {"spec": ["spec"]})
	count(deny) == 0 with input as inp(["Gemfile", "spec/x.yaml"], {"spec": ["spec"]})
}

test_fail_vendored_or_example_tests_only if {
	i := inp(["vendor/github.com/x/y/y_test.go", "examples/demo/demo_test.go", "main.go"], {"tests": ["node_modules/z/tests"]})
	{d.message | some d in deny} == {"no automated tests in the repository: no test files and no test/ or tests/ directory outside vendored and example trees"} with input as i
}

test_tests_anywhere_in_the_repository_count if {
	i := inp(["services/api/handler_test.go", "web/app.ts"], {})
	pass_message == "automated tests: 1 test files (services/api/handler_test.go)" with input as i
}
