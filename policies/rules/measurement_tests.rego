# METADATA
# title: The repository has automated tests whose results can be collected
# description: |
#   Maturity model, Measurement level 1 (Provisional, "Ad hoc"): "Use familiar
#   tools to gather common metrics with limited intent and forethought", for
#   example "opportunities for easy collection such as test failures in CI".
#   The first data a repository can give is its test results, so it needs an
#   automated test suite of its own: Go _test.go files, pytest/unittest files,
#   Jest/Vitest/Mocha .test/.spec files, JUnit/xUnit/NUnit test classes, RSpec
#   _spec.rb files, Rust tests/ or #[cfg(test)] crates with a tests/ directory,
#   Terraform .tftest.hcl files, Helm chart templates/tests/ or chart-testing
#   (ct.yaml, a chart's ci/ values), or a test/ or
#   tests/ directory holding files. Vendored and example trees do not count.
#   A repository rule: its CI collects the results of every suite in it, and
#   scanning every test-file pattern once per component of a large monorepo
#   costs seconds.
# custom:
#   aspect: measurement
#   level: 1
#   severity: info
#   applies_to: [service, website, library, infrastructure]
#   scope: repository
#   reads: []
#   remediation: |
#     Add automated tests next to the code and run them in CI, so failures
#     are recorded on every change, for example in Go:
#
#     ```go
#     func TestHealth(t *testing.T) {
#     	// ...
#     }
#     ```
package goldenpath.rules.measurement.tests

import data.goldenpath.lib

# Unlike lib.evidence, test trees are the evidence here; only vendored and
# example trees (lib.foreign_dirs) are left out.
own(p) if {
	lib.here(p)
	parts := split(trim_prefix(p, lib.base), "/")
	every d in array.slice(parts, 0, count(parts) - 1) {
		not lib.foreign_dir(d)
	}
}

# Test files by name, per extension: [extension, suffixes, base-name prefixes].
# String tests, not regular expressions: a large repository has tens of
# thousands of .js files and the rule has a time limit.
by_ext := [
	[".go", ["_test.go"], []],
	[".py", ["_test.py"], ["test_"]],
	[".js", [".test.js", ".spec.js"], []], [".ts", [".test.ts", ".spec.ts"], []],
	[".jsx", [".test.jsx", ".spec.jsx"], []], [".tsx", [".test.tsx", ".spec.tsx"], []],
	[".mjs", [".test.mjs", ".spec.mjs"], []], [".cjs", [".test.cjs", ".spec.cjs"], []],
	[".java", ["Test.java", "Tests.java"], []], [".kt", ["Test.kt", "Tests.kt"], []],
	[".scala", ["Test.scala", "Spec.scala", "Suite.scala"], []],
	[".cs", ["Test.cs", "Tests.cs"], []], [".fs", ["Test.fs", "Tests.fs"], []],
	[".rb", ["_spec.rb", "_test.rb"], []], [".php", ["Test.php"], []], [".exs", ["_test.exs"], []],
	[".swift", ["Test.swift", "Tests.swift"], []], [".dart", ["_test.dart"], []], [".hcl", [".tftest.hcl"], []],
]

# The test files by name. The engine works them out from by_ext once per
# repository (input.test_files); an input without them (a rule test) is
# scanned here.
named_test_files := input.test_files if is_array(input.test_files)

else := [p |
	some [ext, suffixes, prefixes] in by_ext
	some p in object.get(input.exts, ext, [])
	named_like_test(p, suffixes, prefixes)
]

named_like_test(p, suffixes, _) if strings.any_suffix_match(p, suffixes)

named_like_test(p, _, prefixes) if {
	some prefix in prefixes
	name_starts(p, prefix)
}

suite_files contains p if {
	some p in named_test_files
	own(p)
}

name_starts(p, prefix) if startswith(p, prefix)

name_starts(p, prefix) if {
	contains(p, concat("", ["/", prefix]))
	parts := split(p, "/")
	startswith(parts[count(parts) - 1], prefix)
}

# A test directory (test/, tests/, __tests__/, e2e/; Helm's templates/tests/)
# with files in the component's own tree; spec/ only beside a Gemfile (RSpec),
# since elsewhere spec/ usually holds API specifications.
suite_dirs contains d if {
	some name in ["test", "tests", "__tests__", "e2e", "integration-tests"]
	some d in object.get(object.get(input, "dir_names", {}), name, [])
	own(concat("", [d, "/x"]))
}

suite_dirs contains d if {
	some d in object.get(object.get(input, "dir_names", {}), "spec", [])
	own(concat("", [d, "/x"]))
	lib.exists("Gemfile")
}

# Helm charts tested with chart-testing: a ct.yaml, or a chart's ci/ directory
# of values files that `ct install` runs the chart with.
suite_dirs contains d if {
	some d in object.get(object.get(input, "dir_names", {}), "ci", [])
	own(concat("", [d, "/x"]))
	parent := concat("/", array.slice(split(d, "/"), 0, count(split(d, "/")) - 1))
	lib.present(concat("/", [parent, "Chart.yaml"]))
}

suite_dirs contains p if {
	some p in lib.existing(["ct.yaml", ".github/ct.yaml", ".github/configs/ct.yaml"])
}

evidence contains sprintf("%d test files (%s)", [count(suite_files), sort(suite_files)[0]]) if count(suite_files) > 0

evidence contains sprintf("tests in %s", [sort(suite_dirs)[0]]) if {
	count(suite_files) == 0
	count(suite_dirs) > 0
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := sprintf("no automated tests in %s: no test files and no test/ or tests/ directory outside vendored and example trees", [where])
}

where := "the repository" if lib.base == ""

else := trim_suffix(lib.base, "/")

pass_message := sprintf("automated tests: %s", [concat(", ", sort(evidence))]) if count(evidence) > 0
