package goldenpath.rules.ownership.team

comp(owner) := {
	"path": "catalog-info.yaml", "document": 0, "line": 1,
	"entity": {"kind": "Component", "metadata": {"name": "payments"}, "spec": {"type": "service", "owner": owner}},
	"lines": {"spec.owner": 7},
}

inp(ents, rules) := {
	"catalog": {"files": ["catalog-info.yaml"], "entities": ents, "errors": []},
	"codeowners": {"path": ".github/CODEOWNERS", "rules": rules, "errors": []},
}

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
