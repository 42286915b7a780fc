package goldenpath.rules.ownership.codeowners

test_pass_with_owner if {
	i := {"names": {}, "codeowners": {
		"path": ".github/CODEOWNERS",
		"rules": [{"pattern": "*", "owners": ["@acme/payments"], "line": 3}, {"pattern": "/infra/", "owners": ["@acme/platform", "@acme/payments"], "line": 4}],
		"errors": [],
	}}
	count(deny) == 0 with input as i
	pass_message == ".github/CODEOWNERS assigns @acme/payments, @acme/platform to every file (2 rules)" with input as i
}

test_fail_missing if {
	d := deny with input as {"names": {}, "codeowners": null}
	d == {{"message": "no CODEOWNERS in .github/, the root or docs/", "files": []}}
}

test_fail_missing_points_at_prow_owners if {
	d := deny with input as {"names": {"OWNERS": ["OWNERS"]}, "codeowners": null}
	d == {{"message": "no CODEOWNERS in .github/, the root or docs/ (OWNERS is not read by GitHub)", "files": [{"path": "OWNERS", "line": 1}]}}
}

test_fail_parse_error_names_line if {
	i := {"names": {}, "codeowners": {
		"path": "CODEOWNERS",
		"rules": [{"pattern": "*", "owners": ["@acme/payments"], "line": 1}],
		"errors": [{"line": 5, "message": "invalid owner \"acme\""}],
	}}
	d := deny with input as i
	d == {{"message": `CODEOWNERS:5: invalid owner "acme"`, "files": [{"path": "CODEOWNERS", "line": 5}]}}
}

test_fail_no_owner_in_any_rule if {
	i := {"names": {}, "codeowners": {"path": "docs/CODEOWNERS", "rules": [{"pattern": "/vendor/", "owners": [], "line": 2}], "errors": []}}
	{x.message | some x in deny} == {"docs/CODEOWNERS:2: docs/CODEOWNERS has no rule that names an owner"} with input as i
}

test_fail_empty_file if {
	d := deny with input as {"names": {}, "codeowners": {"path": "CODEOWNERS", "rules": [], "errors": []}}
	d == {{"message": "CODEOWNERS:1: CODEOWNERS is empty: it has no rules", "files": [{"path": "CODEOWNERS", "line": 1}]}}
}
