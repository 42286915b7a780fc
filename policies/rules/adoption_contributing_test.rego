package goldenpath.rules.adoption.contributing

test_pass_guide_where_github_looks if {
	every p in ["CONTRIBUTING.md", ".github/CONTRIBUTING.md", "docs/CONTRIBUTING.rst"] {
		parts := split(p, "/")
		i := {"names": {parts[count(parts) - 1]: [p]}}
		count(deny) == 0 with input as i
		pass_message == sprintf("contribution guide in %s", [p]) with input as i
	}
}

test_pass_pull_request_template if {
	i := {"names": {"pull_request_template.md": [".github/pull_request_template.md"]}}
	pass_message == "pull request template .github/pull_request_template.md guides contributors (no CONTRIBUTING.md)" with input as i
}

test_fail_missing_or_elsewhere if {
	count(deny) == 1 with input as {"names": {}}
	count(deny) == 1 with input as {"names": {"CONTRIBUTING.md": ["vendor/x/CONTRIBUTING.md"]}}
}
