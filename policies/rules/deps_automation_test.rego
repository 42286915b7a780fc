package goldenpath.rules.deps.automation

with_dependabot(text) := {
	"names": {"dependabot.yml": [".github/dependabot.yml"]},
	"files": {".github/dependabot.yml": {"content": text}},
}

good := `version: 2
updates:
  - package-ecosystem: gomod
    directory: /
    schedule:
      interval: weekly
  - package-ecosystem: github-actions
    directories: ["/"]
    schedule: {interval: monthly}
`

test_pass_dependabot if {
	i := with_dependabot(good)
	count(deny) == 0 with input as i
	pass_message == "Dependabot updates github-actions, gomod (.github/dependabot.yml)" with input as i
}

test_pass_renovate_anywhere_supported if {
	every p in ["renovate.json", ".renovaterc", ".github/renovate.json5", ".gitlab/renovate.json"] {
		parts := split(p, "/")
		count(deny) == 0 with input as {"names": {parts[count(parts) - 1]: [p]}, "files": {}}
	}
}

test_pass_unread_dependabot if {
	i := {"names": {"dependabot.yaml": [".github/dependabot.yaml"]}, "files": {".github/dependabot.yaml": {"skipped": "limit"}}}
	count(deny) == 0 with input as i
	pass_message == "Dependabot is configured (.github/dependabot.yaml, not read)" with input as i
}

test_fail_nothing if {
	d := deny with input as {"names": {"renovate.json": ["docs/renovate.json"]}, "files": {}}
	d == {{"message": "no dependency update automation: no .github/dependabot.yml and no Renovate configuration (renovate.json, .renovaterc, .github/renovate.json)", "files": []}}
}

test_fail_empty_updates_names_line if {
	d := deny with input as with_dependabot("# comment\nversion: 2\nupdates: []\n")
	d == {{"message": ".github/dependabot.yml:3: .github/dependabot.yml lists no updates, so Dependabot opens no pull requests", "files": [{"path": ".github/dependabot.yml", "line": 3}]}}
}

test_fail_wrong_version_and_incomplete_entry if {
	text := "version: 1\nupdates:\n  - package-ecosystem: npm\n"
	{x.message | some x in deny} == {
		".github/dependabot.yml:1: .github/dependabot.yml version is 1, want 2",
		".github/dependabot.yml:2: .github/dependabot.yml updates[0] has no directory or directories",
		".github/dependabot.yml:2: .github/dependabot.yml updates[0] has no schedule.interval",
	} with input as with_dependabot(text)
}

test_fail_invalid_yaml if {
	{x.message | some x in deny} == {".github/dependabot.yml:1: .github/dependabot.yml is not valid YAML"} with input as with_dependabot("version: 2\nupdates: [\n")
}

# dependabot-gitlab reads Dependabot's format from .gitlab/dependabot.yml (os2mo).
test_pass_dependabot_gitlab if {
	i := {"names": {"dependabot.yml": [".gitlab/dependabot.yml"]}, "files": {".gitlab/dependabot.yml": {"content": good}}}
	pass_message == "Dependabot updates github-actions, gomod (.gitlab/dependabot.yml)" with input as i
}
