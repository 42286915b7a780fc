package goldenpath.rules.ci.pinned_actions

wf(files) := {"files": {p: {"content": c} | some p, c in files}}

pinned_wf := `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: ./.github/actions/setup
      - uses: docker://alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      - run: echo "uses: not-a-step@v1"
`

test_pass_all_pinned if {
	i := wf({".github/workflows/ci.yml": pinned_wf})
	count(deny) == 0 with input as i
	pass_message == "all 2 action references in 1 workflow(s) are pinned to commit SHAs" with input as i
}

test_fail_tags_and_reusable_workflows_name_lines if {
	text := "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - name: x\n        uses: 'actions/setup-go@main'\n  b:\n    uses: acme/workflows/.github/workflows/ci.yml@v2\n"
	d := deny with input as wf({".github/workflows/ci.yaml": text, "README.md": "uses: x@v1"})
	d == {{
		"message": ".github/workflows/ci.yaml: 3 action reference(s) not pinned to a commit SHA: actions/checkout@v4 (line 4), actions/setup-go@main (line 6), acme/workflows/.github/workflows/ci.yml@v2 (line 8)",
		"files": [
			{"path": ".github/workflows/ci.yaml", "line": 4},
			{"path": ".github/workflows/ci.yaml", "line": 6},
			{"path": ".github/workflows/ci.yaml", "line": 8},
		],
	}}
}

test_fail_short_sha_is_not_a_pin if {
	count(deny) == 1 with input as wf({".github/workflows/a.yml": "      - uses: actions/checkout@11bd719\n"})
}

test_skip_without_workflows if {
	skip == "no GitHub Actions workflows in .github/workflows/" with input as wf({".github/workflows/sub/x.yml": "uses: a@v1"})
}

test_skip_when_unread if {
	skip == "the workflows could not be read" with input as {"files": {".github/workflows/a.yml": {"skipped": "limit"}}}
}
