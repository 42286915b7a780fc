package policies

import (
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/config"
)

// TestLadderRulesThroughTheEngine judges the rules that fill the ladder's
// remaining cells on snapshots, so their inputs (the org's building_blocks, the
// parsed CODEOWNERS, the path indexes) arrive the way production builds them.
func TestLadderRulesThroughTheEngine(t *testing.T) {
	e := newEngine(t, nil)
	org, err := config.ParseOrg("golden-path.yaml", []byte("building_blocks: [acme/ci-workflows, github.com/acme/tf-modules]\n"))
	if err != nil {
		t.Fatal(err)
	}
	workflow := "jobs:\n  build:\n    uses: acme/ci-workflows/.github/workflows/go.yml@v3\n"
	tests := []struct {
		name  string
		rule  string
		files map[string]string
		org   *config.Org
		want  Status
		msg   string // a part of the message
	}{
		{"team in catalog", "ownership.team", map[string]string{"catalog-info.yaml": componentYAML("payments", "service", "group:pay")}, nil, StatusPass, "group:pay"},
		{"person in catalog", "ownership.team", map[string]string{"catalog-info.yaml": componentYAML("payments", "service", "user:alice")}, nil, StatusFail, "catalog-info.yaml:8: spec.owner \"user:alice\" is a person"},
		{"team in CODEOWNERS", "ownership.team", map[string]string{".github/CODEOWNERS": "# owners\n* @acme/payments\n"}, nil, StatusPass, "@acme/payments (.github/CODEOWNERS:2)"},
		{"people in CODEOWNERS", "ownership.team", map[string]string{"CODEOWNERS": "* @alice\n"}, nil, StatusFail, "CODEOWNERS:1: the rule * covering the repository root names people or e-mail addresses (@alice)"},
		{"a team only for another directory", "ownership.team", map[string]string{"CODEOWNERS": "* @alice\n/docs/ @acme/docs\n"}, nil, StatusFail, "names people or e-mail addresses (@alice)"},
		{"no owner anywhere", "ownership.team", map[string]string{"main.go": "package main"}, nil, StatusSkip, "neither"},
		{"Makefile", "interfaces.tasks", map[string]string{"Dockerfile": "FROM scratch", "Makefile": "test:\n"}, nil, StatusPass, "task runner Makefile"},
		{"only a Dockerfile", "interfaces.tasks", map[string]string{"Dockerfile": "FROM scratch"}, nil, StatusFail, "no written-down tasks"},
		{"Go tests", "measurement.tests", map[string]string{"go.mod": "module x\n", "x.go": "package x", "x_test.go": "package x"}, nil, StatusPass, "1 test files (x_test.go)"},
		{"vendored tests only", "measurement.tests", map[string]string{"go.mod": "module x\n", "x.go": "package x", "vendor/y/y_test.go": "package y"}, nil, StatusFail, "no automated tests"},
		{"reusable workflow", "interfaces.self_service", map[string]string{".github/workflows/ci.yml": workflow}, org, StatusPass, "acme/ci-workflows (.github/workflows/ci.yml)"},
		{"module source", "interfaces.self_service", map[string]string{"infra/main.tf": "module \"pg\" {\n  source = \"git::https://github.com/acme/tf-modules.git//pg?ref=v2\"\n}\n"}, org, StatusPass, "github.com/acme/tf-modules (infra/main.tf)"},
		{"public blocks only", "interfaces.self_service", map[string]string{".github/workflows/ci.yml": "steps:\n  - uses: actions/checkout@v4\n"}, org, StatusFail, "uses none of the organisation's building blocks"},
		{"org names no blocks", "interfaces.self_service", map[string]string{".github/workflows/ci.yml": workflow}, nil, StatusSkip, "names no building_blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.name, func(t *testing.T) {
			r := result(t, evaluate(t, e, tt.files, Request{Org: tt.org}), tt.rule)
			if r.Status != tt.want || !strings.Contains(r.Message, tt.msg) {
				t.Errorf("%s: %s %q, want %s with %q", tt.rule, r.Status, r.Message, tt.want, tt.msg)
			}
		})
	}
}
