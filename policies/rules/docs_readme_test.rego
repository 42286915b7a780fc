package goldenpath.rules.docs.readme

repo(path, text) := {
	"names": {base: [path]},
	"files": {path: {"size": count(text), "content": text}},
} if {
	parts := split(path, "/")
	base := parts[count(parts) - 1]
}

good := `# payments-api

[![CI](https://github.com/acme/payments/actions/workflows/ci.yml/badge.svg)](https://github.com/acme/payments/actions)

Card payments API used by checkout and the mobile apps.
Owned by the payments team.

## Running
Run make run to start it on port 8080.
`

test_pass_substantive_readme if {
	i := repo("README.md", good)
	count(deny) == 0 with input as i
	pass_message == "README.md describes the component (3 lines of prose)" with input as i
}

test_pass_one_long_paragraph if {
	text := concat("", ["# x\n\n", sprintf("%0200d", [1])])
	count(deny) == 0 with input as repo("README.md", text)
}

test_fail_title_only if {
	d := deny with input as repo("README.md", "# payments-api\n\n[![CI](https://x/badge.svg)](https://x)\n")
	d == {{
		"message": "README.md:1: README.md is little more than a title (0 lines, 0 characters of prose; want 3 lines or 200 characters): say what the component does and how to run it",
		"files": [{"path": "README.md", "line": 1}],
	}}
}

test_fail_plain_one_liner if {
	d := deny with input as repo("README", "Hello World!")
	{x.message | some x in d} == {"README:1: README is little more than a title (1 lines, 12 characters of prose; want 3 lines or 200 characters): say what the component does and how to run it"}
}

test_fail_rst_title_and_underline_only if {
	count(deny) == 1 with input as repo("README.rst", "payments\n========\n\n.. image:: https://x/badge.svg\n")
}

test_fail_three_tiny_lines if {
	count(deny) == 1 with input as repo("README.md", "# x\nTODO\nTODO\nTODO\n")
}

test_fail_missing if {
	d := deny with input as {"names": {"main.go": ["main.go"]}, "files": {}}
	d == {{"message": "no README in the repository root, its .github/ or its docs/", "files": []}}
}

# A component below the root is told about its own directory (the root's
# README does not describe it).
test_fail_missing_in_a_component if {
	i := {"component": {"path": "catalog/components/echo"}, "names": {"README.md": ["README.md"]}, "files": {}}
	{x.message | some x in deny} == {"no README in the component's directory catalog/components/echo, its .github/ or its docs/"} with input as i
}

test_nested_readme_elsewhere_does_not_count if {
	count(deny) == 1 with input as {"names": {"README.md": ["pkg/README.md"]}, "files": {}}
}

test_pass_github_dir_readme if {
	count(deny) == 0 with input as repo(".github/README.md", good)
}

test_pass_unread_large_readme if {
	i := {"names": {"README.md": ["README.md"]}, "files": {"README.md": {"size": 2000000, "skipped": "too_large"}}}
	count(deny) == 0 with input as i
	pass_message == "README.md is present (too large or not read, so its content was not checked)" with input as i
}
