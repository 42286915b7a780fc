package goldenpath.rules.ownership.team

comp(owner) := {
	"path": "catalog-info.yaml", "document": 0, "line": 1,
	"entity": {"kind": "Component", "metadata": {"name": "payments"}, "spec": {"type": "service", "owner": owner}},
	"lines": {"spec.owner": 7},
}

# inp is the input with these CODEOWNERS rules, the last of which covers the
# component's directory (as the engine finds it).
inp(ents, rules) := {
	"catalog": {"files": ["catalog-info.yaml"], "entities": ents, "errors": []},
	"codeowners": {"path": ".github/CODEOWNERS", "rules": rules, "errors": []},
	"component": {"path": ".", "codeowners": covering(rules)},
}

covering(rules) := rules[count(rules) - 1] if count(rules) > 0

else := null

test_verdicts if {
	every c in [
		# [catalog owner, CODEOWNERS owners, deny count, pass message]
		["group:default/payments", [], 0, "owned by the team group:default/payments (spec.owner)"],
		["payments-team", [], 0, "owned by the team payments-team (spec.owner)"],
		["user:alice", [], 1, ""],
		["User:alice", ["@acme/payments"], 1, ""],
		[null, ["@acme/payments"], 0, "owned by the team @acme/payments (.github/CODEOWNERS:3)"],
		[null, ["@alice", "alice@example.com"], 1, ""],
	] {
		ents := [comp(c[0]) | c[0] != null]
		rules := [{"pattern": "*", "owners": c[1], "line": 3} | count(c[1]) > 0]
		i := inp(ents, rules)
		count(deny) == c[2] with input as i
		pm(c[3]) with input as i
	}
}

pm(want) if want == ""

pm(want) if pass_message == want

test_person_message_names_line if {
	{d.message | some d in deny} == {`catalog-info.yaml:7: spec.owner "user:alice" is a person; give the component to a team (group:...)`} with input as inp([comp("user:alice")], [])
}

test_skip_without_any_owner if {
	skip == "neither a catalog spec.owner nor a CODEOWNERS owner (catalog.owner and ownership.codeowners report that)" with input as {"catalog": null, "codeowners": null}
	count(deny) == 0 with input as {"catalog": null, "codeowners": null}
}

# A team named for another directory does not own this component; a rule that
# names only people says which line.
test_only_the_covering_rule_counts if {
	rules := [
		{"pattern": "/docs/", "owners": ["@acme/docs"], "line": 2},
		{"pattern": "/services/payments/", "owners": ["@alice"], "line": 5},
	]
	i := {
		"catalog": null,
		"codeowners": {"path": ".github/CODEOWNERS", "rules": rules, "errors": []},
		"component": {"path": "services/payments", "codeowners": rules[1]},
	}
	{d.message | some d in deny} == {".github/CODEOWNERS:5: the rule /services/payments/ covering services/payments names people or e-mail addresses (@alice), no @org/team, and there is no catalog spec.owner"} with input as i
}

test_no_rule_covers_the_component if {
	i := {
		"catalog": null,
		"codeowners": {"path": ".github/CODEOWNERS", "rules": [{"pattern": "/docs/", "owners": ["@acme/docs"], "line": 2}], "errors": []},
		"component": {"path": "services/payments", "codeowners": null},
	}
	{d.message | some d in deny} == {"no rule of .github/CODEOWNERS covers services/payments, and there is no catalog spec.owner"} with input as i
}
