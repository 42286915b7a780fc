package goldenpath.rules.ci.present

test_pass_github_actions if {
	i := {
		"names": {"ci.yml": [".github/workflows/ci.yml"], "release.yaml": [".github/workflows/release.yaml"]},
		"dirs": {".github": true, ".github/workflows": true},
		"files": {".github/workflows/ci.yml": {"content": "on: push"}, ".github/workflows/release.yaml": {"skipped": "limit"}},
	}
	count(deny) == 0 with input as i
	pass_message == "CI: GitHub Actions (.github/workflows/: 2 workflows)" with input as i
}

test_pass_other_systems if {
	every p in [".gitlab-ci.yml", "Jenkinsfile", ".circleci/config.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", ".drone.yml", "appveyor.yml", "cloudbuild.yaml"] {
		parts := split(p, "/")
		count(deny) == 0 with input as {"names": {parts[count(parts) - 1]: [p]}, "exts": {}, "dirs": {}}
	}
}

test_pass_pipeline_directories if {
	pass_message == "CI: Buildkite (.buildkite/)" with input as {"names": {}, "exts": {}, "dirs": {".buildkite": true}}
}

test_fail_workflow_nested_too_deep if {
	i := {"names": {}, "files": {".github/workflows/sub/ci.yml": {"content": ""}, ".github/ci.yml": {"content": ""}}, "dirs": {".github/workflows": true, ".github/workflows/sub": true}}
	d := deny with input as i
	d == {{"message": "no CI configuration: no GitHub Actions workflow in .github/workflows/, and no GitLab CI, Jenkinsfile, CircleCI, Travis, Azure Pipelines, Bitbucket, Buildkite, Drone, Tekton, Woodpecker, AppVeyor or Cloud Build file (.github/workflows/ holds no .yml or .yaml file at its top level)", "files": []}}
}

test_fail_jenkinsfile_not_at_root if {
	count(deny) == 1 with input as {"names": {"Jenkinsfile": ["ci/Jenkinsfile"]}, "exts": {}, "dirs": {"ci": true}}
}

test_fail_nothing if {
	count(deny) == 1 with input as {"names": {"main.go": ["main.go"]}, "exts": {".go": ["main.go"]}, "dirs": {}}
}
