# METADATA
# title: GitHub Actions are pinned to commit SHAs
# description: |
#   Every `uses:` in .github/workflows/ that refers to another repository's action
#   or reusable workflow is pinned to a full 40-character commit SHA. Tags and
#   branches can be moved by whoever controls that repository, which is how a
#   compromised action reaches your secrets. Local actions (./...) and Docker
#   images pinned by digest are fine.
# custom:
#   aspect: operations
#   level: 4
#   severity: info
#   applies_to: []
#   scope: repository
#   reads: [".github/workflows/*.yml", ".github/workflows/*.yaml"]
#   remediation: |
#     Replace each tag with the commit it points at, keeping the tag as a comment
#     so Dependabot or Renovate can keep updating it:
#
#     ```yaml
#     - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
#     ```
#
#     Tools such as `pinact run` or `ratchet pin` do this for a whole repository,
#     and Dependabot's `github-actions` ecosystem keeps the pins current.
package goldenpath.rules.ci.pinned_actions

import data.goldenpath.lib

workflows := sort([p |
	some p, _ in input.files
	regex.match(`^\.github/workflows/[^/]+\.ya?ml$`, p)
])

read := [p | some p in workflows; lib.content(p)]

skip := "no GitHub Actions workflows in .github/workflows/" if count(workflows) == 0

skip := "the workflows could not be read" if {
	count(workflows) > 0
	count(read) == 0
}

# [line, ref] of every `uses:` of a remote action or reusable workflow in text,
# in file order. The text is split at "uses:", so the work is per reference,
# not per line (workflows can be long): part k follows the k-th "uses:", which
# counts when whitespace or a list dash precedes it and an action reference
# (owner/repo[/path]@ref or docker://...) follows; its line is 1 + the
# newlines in the parts before it. Local ./ actions never match.
uses_in(text) := [[n, ref] |
	parts := split(text, "uses:")
	newlines := [strings.count(part, "\n") | some part in parts]
	some k, part in parts
	k > 0
	strings.any_suffix_match(parts[k - 1], [" ", "\t", "\n", "-"])
	m := regex.find_all_string_submatch_n(`^[ \t]*["']?([A-Za-z0-9_.-]+/[^"'\s#@]+@[^"'\s#]+|docker://[^"'\s#]+)`, part, 1)
	ref := m[0][1]
	n := sum(array.slice(newlines, 0, k)) + 1
]

pinned(ref) if regex.match(`@[0-9a-f]{40}$`, ref)

pinned(ref) if regex.match(`^docker://[^@]+@sha256:[0-9a-f]{64}$`, ref)

uses[p] := uses_in(lib.content(p)) if some p in read

total := sum([count(u) | some u in uses])

# [line, ref] of every unpinned reference in file p, in line order.
unpinned_in[p] := bad if {
	some p, u in uses
	bad := [[n, ref] | some [n, ref] in u; not pinned(ref)]
}

deny contains {"message": msg, "files": [{"path": p, "line": n} | some [n, _] in array.slice(refs, 0, 20)]} if {
	some p, refs in unpinned_in
	count(refs) > 0
	shown := [sprintf("%s (line %d)", [ref, n]) | some [n, ref] in array.slice(refs, 0, 5)]
	msg := sprintf("%s: %d action reference(s) not pinned to a commit SHA: %s%s", [p, count(refs), concat(", ", shown), and_more(count(refs) - count(shown))])
}

and_more(0) := ""

and_more(n) := sprintf(" and %d more", [n]) if n > 0

pass_message := sprintf("all %d action references in %d workflow(s) are pinned to commit SHAs", [total, count(read)]) if count(read) > 0
