package goldenpath.rules.security.policy

test_pass_in_each_location if {
	every p in ["SECURITY.md", ".github/SECURITY.md", "docs/SECURITY.md", "SECURITY.rst"] {
		parts := split(p, "/")
		i := {"names": {parts[count(parts) - 1]: [p]}}
		count(deny) == 0 with input as i
		pass_message == sprintf("security policy in %s", [p]) with input as i
	}
}

test_fail_missing if {
	d := deny with input as {"names": {"README.md": ["README.md"]}}
	d == {{"message": "no SECURITY.md in the root, .github/ or docs/", "files": []}}
}

test_fail_wrong_place_is_pointed_out if {
	d := deny with input as {"names": {"SECURITY.md": ["policies/SECURITY.md"]}}
	d == {{"message": "no SECURITY.md in the root, .github/ or docs/ (policies/SECURITY.md is not where GitHub looks)", "files": [{"path": "policies/SECURITY.md", "line": 1}]}}
}

test_fail_vendored_policy_is_not_mentioned if {
	d := deny with input as {"names": {"SECURITY.md": ["vendor/google.golang.org/grpc/SECURITY.md"]}}
	d == {{"message": "no SECURITY.md in the root, .github/ or docs/", "files": []}}
}
