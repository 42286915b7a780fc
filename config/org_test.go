package config

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const orgFile = "golden-path.yaml"

// productExample is the org file from the product contract.
const productExample = `enforcement: advisory          # the default
threshold: 0.8
rules:
  disable: [measurement.slo]
  severity: {catalog.owner: error}
exemptions:
  - repositories: ["legacy-*"]
    rules: [iac.present]
    reason: "Decommissioned in Q3"
    expires: 2027-03-31
report:
  repository: .github
policies:
  path: golden-path/policies
ignore_repositories: ["*-sandbox"]
`

func day(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustParseOrg(t *testing.T, src string) *Org {
	t.Helper()
	o, err := ParseOrg(orgFile, []byte(src))
	if err != nil {
		t.Fatalf("ParseOrg: %v", err)
	}
	return o
}

func TestParseOrgEmptyGivesDefaults(t *testing.T) {
	want := &Org{Enforcement: "advisory", Threshold: 0.8}
	for _, src := range []string{"", "\n\n", "# only a comment\n", "---\n", "--- # c\n...\n"} {
		o, err := ParseOrg(orgFile, []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if !reflect.DeepEqual(o, want) {
			t.Errorf("%q: got %+v, want %+v", src, o, want)
		}
	}
	if !reflect.DeepEqual(DefaultOrg(), want) {
		t.Errorf("DefaultOrg() = %+v, want %+v", DefaultOrg(), want)
	}
}

func TestParseOrgProductExample(t *testing.T) {
	o := mustParseOrg(t, productExample)
	want := &Org{
		Enforcement: "advisory",
		Threshold:   0.8,
		Rules: Rules{
			Disable:  []string{"measurement.slo"},
			Severity: map[string]string{"catalog.owner": "error"},
		},
		Exemptions: []Exemption{{
			Repositories: []string{"legacy-*"},
			Rules:        []string{"iac.present"},
			Reason:       "Decommissioned in Q3",
			Expires:      NewDate(2027, time.March, 31),
		}},
		Report:             Report{Repository: ".github"},
		Policies:           Policies{Path: "golden-path/policies"},
		IgnoreRepositories: []string{"*-sandbox"},
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("got  %+v\nwant %+v", o, want)
	}
}

func TestParseOrgValid(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(*Org) bool
	}{
		{"blocking", "enforcement: blocking\n",
			func(o *Org) bool { return o.Enforcement == EnforcementBlocking }},
		{"threshold 1 is allowed", "threshold: 1\n",
			func(o *Org) bool { return o.Threshold == 1 }},
		{"catalog discover", "catalog:\n  discover: ['**/catalog-info.yaml']\n",
			func(o *Org) bool {
				return slices.Equal(o.CatalogDiscover(), []string{"**/catalog-info.yaml"}) &&
					slices.Equal(DefaultOrg().CatalogDiscover(), DefaultCatalogDiscover)
			}},
		{"small threshold", "threshold: 0.05\n",
			func(o *Org) bool { return o.Threshold == 0.05 }},
		{"enforce_from quoted and unquoted", "rules:\n  enforce_from:\n    ci.present: 2027-01-15\n    docs.readme: \"2026-12-01\"\n",
			func(o *Org) bool {
				return o.Rules.EnforceFrom["ci.present"] == NewDate(2027, 1, 15) &&
					o.Rules.EnforceFrom["docs.readme"] == NewDate(2026, 12, 1)
			}},
		{"exemption without expiry", "exemptions:\n  - repositories: [a]\n    rules: [x]\n    reason: r\n",
			func(o *Org) bool { return o.Exemptions[0].Expires.IsZero() }},
		{"anchors and aliases", "exemptions:\n  - repositories: &legacy [old-*, legacy-*]\n    rules: [iac.present]\n    reason: r\nignore_repositories: *legacy\n",
			func(o *Org) bool { return slices.Equal(o.IgnoreRepositories, []string{"old-*", "legacy-*"}) }},
		{"null keeps the default", "enforcement:\nthreshold: ~\n",
			func(o *Org) bool { return o.Enforcement == EnforcementAdvisory && o.Threshold == DefaultThreshold }},
		{"allow_repository_exemptions", "allow_repository_exemptions: true\n",
			func(o *Org) bool { return o.AllowRepositoryExemptions }},
		{"doublestar glob", "ignore_repositories: ['{tmp,scratch}-*', 'x?z']\n",
			func(o *Org) bool { return len(o.IgnoreRepositories) == 2 }},
		{"policies path with dot segments inside", "policies:\n  path: ./policies/../rego\n",
			func(o *Org) bool { return o.Policies.Path == "./policies/../rego" }},
		{"building blocks", "building_blocks: [acme/ci-workflows, github.com/acme/tf-modules, app.terraform.io/acme]\n",
			func(o *Org) bool { return len(o.BuildingBlocks) == 3 && o.BuildingBlocks[2] == "app.terraform.io/acme" }},
		{"fixes", "fixes:\n  enabled: true\n  rules: [catalog.present]\n  owner: group:platform\n  templates: {SECURITY.md: t/SECURITY.md}\n",
			func(o *Org) bool {
				return o.Fixes.Enabled && o.Fixes.Owner == "group:platform" && o.Fixes.Templates["SECURITY.md"] == "t/SECURITY.md" && len(o.Fixes.Rules) == 1
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if o := mustParseOrg(t, tt.src); !tt.check(o) {
				t.Errorf("unexpected result %+v", o)
			}
		})
	}
}

func TestParseOrgErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // the whole error text
		line int
	}{
		// strict keys
		{"unknown top-level key", "threshold: 0.9\n\nenforcment: blocking\n",
			`golden-path.yaml:3: unknown key "enforcment"`, 3},
		{"unknown key in rules", "rules:\n  disable: []\n  disabled: [x]\n",
			`golden-path.yaml:3: unknown key "disabled" in rules`, 3},
		{"unknown key in an exemption", "exemptions:\n  - repositories: [a]\n    rules: [x]\n    reasons: r\n",
			`golden-path.yaml:4: unknown key "reasons" in exemptions[0]`, 4},
		{"repository-only key in org file", "owner: team-a\n",
			`golden-path.yaml:1: unknown key "owner"`, 1},
		{"duplicate key", "threshold: 0.5\nthreshold: 0.6\n",
			`golden-path.yaml:2: duplicate key "threshold" (first set on line 1)`, 2},

		// types
		{"threshold not a number", "enforcement: blocking\nthreshold: high\n",
			`golden-path.yaml:2: threshold: expected a number, found "high"`, 2},
		{"disable not a list", "rules:\n  disable: measurement.slo\n",
			`golden-path.yaml:2: rules.disable: expected a list, found "measurement.slo"`, 2},
		{"severity not a mapping", "rules:\n  severity: [catalog.owner]\n",
			`golden-path.yaml:2: rules.severity: expected a mapping, found a list`, 2},
		{"bool expected", "allow_repository_exemptions: maybe\n",
			`golden-path.yaml:1: allow_repository_exemptions: expected true or false, found "maybe"`, 1},
		{"file is a list", "- enforcement: blocking\n",
			`golden-path.yaml:1: expected a mapping, found a list`, 1},
		{"exemptions not a list", "exemptions:\n  repositories: [a]\n",
			`golden-path.yaml:2: exemptions: expected a list, found a mapping`, 2},

		// enums and ranges
		{"bad enforcement", "enforcement: strict\n",
			`golden-path.yaml:1: enforcement: must be advisory or blocking, got "strict"`, 1},
		{"empty enforcement", "threshold: 0.5\nenforcement: ''\n",
			`golden-path.yaml:2: enforcement: must be advisory or blocking, got ""`, 2},
		{"threshold zero", "threshold: 0\n",
			`golden-path.yaml:1: threshold: must be greater than 0 and at most 1, got 0`, 1},
		{"threshold above one", "\nthreshold: 1.5\n",
			`golden-path.yaml:2: threshold: must be greater than 0 and at most 1, got 1.5`, 2},
		{"threshold negative", "threshold: -0.2\n",
			`golden-path.yaml:1: threshold: must be greater than 0 and at most 1, got -0.2`, 1},
		{"threshold NaN", "threshold: .nan\n",
			`golden-path.yaml:1: threshold: must be greater than 0 and at most 1, got NaN`, 1},
		{"bad severity", "rules:\n  severity:\n    docs.readme: warning\n    catalog.owner: fatal\n",
			`golden-path.yaml:4: rules.severity["catalog.owner"]: must be error, warning or info, got "fatal"`, 4},
		{"empty rule in disable", "rules:\n  disable:\n    - ci.present\n    - \"\"\n",
			`golden-path.yaml:4: rules.disable[1]: rule ID must not be empty`, 4},

		// dates
		{"impossible date", "rules:\n  enforce_from:\n    ci.present: 2027-02-30\n",
			`golden-path.yaml:3: rules.enforce_from["ci.present"]: invalid date "2027-02-30", want YYYY-MM-DD`, 3},
		{"date with time", "rules:\n  enforce_from:\n    ci.present: 2027-02-03T10:00:00Z\n",
			`golden-path.yaml:3: rules.enforce_from["ci.present"]: invalid date "2027-02-03T10:00:00Z", want YYYY-MM-DD`, 3},
		{"missing date", "rules:\n  enforce_from:\n    ci.present:\n",
			`golden-path.yaml:3: rules.enforce_from["ci.present"]: expected a date (YYYY-MM-DD)`, 3},
		{"bad expires", "exemptions:\n  - repositories: [a]\n    rules: [x]\n    reason: r\n    expires: 31/03/2027\n",
			`golden-path.yaml:5: exemptions[0].expires: invalid date "31/03/2027", want YYYY-MM-DD`, 5},
		{"expires is a list", "exemptions:\n  - repositories: [a]\n    rules: [x]\n    reason: r\n    expires: [2027-03-31]\n",
			`golden-path.yaml:5: exemptions[0].expires: expected a date (YYYY-MM-DD)`, 5},

		// exemptions
		{"exemption without rules", "exemptions:\n  - repositories: [a]\n    reason: r\n",
			`golden-path.yaml:2: exemptions[0].rules: required: list at least one rule ID`, 2},
		{"exemption with empty rules", "exemptions:\n  - repositories: [a]\n    rules: [x]\n    reason: r\n  - repositories: [b]\n    rules: []\n    reason: r\n",
			`golden-path.yaml:6: exemptions[1].rules: required: list at least one rule ID`, 6},
		{"exemption without reason", "exemptions:\n  - repositories: [a]\n    rules: [x]\n",
			`golden-path.yaml:2: exemptions[0].reason: required: say why the exemption exists`, 2},
		{"exemption with blank reason", "exemptions:\n  - repositories: [a]\n    rules: [x]\n    reason: \"  \"\n",
			`golden-path.yaml:4: exemptions[0].reason: required: say why the exemption exists`, 4},
		{"exemption without repositories", "exemptions:\n  - rules: [x]\n    reason: r\n",
			`golden-path.yaml:2: exemptions[0].repositories: required: list the repository globs this exemption covers`, 2},
		{"exemption bad glob", "exemptions:\n  - repositories:\n      - ok-*\n      - \"legacy-[abc\"\n    rules: [x]\n    reason: r\n",
			`golden-path.yaml:4: exemptions[0].repositories[1]: invalid glob pattern "legacy-[abc"`, 4},
		{"exemption glob with owner", "exemptions:\n  - repositories: [acme/legacy-*]\n    rules: [x]\n    reason: r\n",
			`golden-path.yaml:2: exemptions[0].repositories[0]: pattern matches repository names without the owner, got "acme/legacy-*"`, 2},

		// other sections
		{"ignore bad glob", "ignore_repositories:\n  - '*-sandbox'\n  - '{a,b'\n",
			`golden-path.yaml:3: ignore_repositories[1]: invalid glob pattern "{a,b"`, 3},
		{"ignore empty glob", "ignore_repositories: ['']\n",
			`golden-path.yaml:1: ignore_repositories[0]: pattern must not be empty`, 1},
		{"report repository with owner", "report:\n  repository: acme/.github\n",
			`golden-path.yaml:2: report.repository: must be a repository name in this organisation, got "acme/.github"`, 2},
		{"policies path escapes", "policies:\n  path: ../elsewhere\n",
			`golden-path.yaml:2: policies.path: must be a relative path inside the config repository, got "../elsewhere"`, 2},
		{"policies path absolute", "policies:\n  path: /etc\n",
			`golden-path.yaml:2: policies.path: must be a relative path inside the config repository, got "/etc"`, 2},
		{"catalog glob escapes", "catalog:\n  discover: ['catalog-info.yaml', '../x/*.yaml']\n",
			`golden-path.yaml:2: catalog.discover[1]: must be a glob of paths inside the repository, got "../x/*.yaml"`, 2},
		{"catalog glob absolute", "catalog:\n  discover:\n    - /catalog-info.yaml\n",
			`golden-path.yaml:3: catalog.discover[0]: must be a glob of paths inside the repository, got "/catalog-info.yaml"`, 3},
		{"catalog glob invalid", "catalog:\n  discover: ['[a']\n",
			`golden-path.yaml:2: catalog.discover[0]: must be a glob of paths inside the repository, got "[a"`, 2},
		{"building block with a scheme", "building_blocks:\n  - acme/ci\n  - https://github.com/acme/tf\n",
			`golden-path.yaml:3: building_blocks[1]: must be a reference prefix such as acme/ci-workflows or github.com/acme/tf-modules (owner/name, no scheme, version or spaces), got "https://github.com/acme/tf"`, 3},
		{"building block with a version", "building_blocks: ['acme/ci/.github/workflows/go.yml@v1']\n",
			`golden-path.yaml:1: building_blocks[0]: must be a reference prefix such as acme/ci-workflows or github.com/acme/tf-modules (owner/name, no scheme, version or spaces), got "acme/ci/.github/workflows/go.yml@v1"`, 1},
		{"building block owner only", "building_blocks: [acme]\n",
			`golden-path.yaml:1: building_blocks[0]: must be a reference prefix such as acme/ci-workflows or github.com/acme/tf-modules (owner/name, no scheme, version or spaces), got "acme"`, 1},
		{"building block twice", "building_blocks:\n  - acme/ci\n  - acme/ci\n",
			`golden-path.yaml:3: building_blocks[1]: "acme/ci" is listed twice (first as building_blocks[0])`, 3},
		{"building blocks not a list", "building_blocks: acme/ci\n",
			`golden-path.yaml:1: building_blocks: expected a list, found "acme/ci"`, 1},
		{"fixes unknown key", "fixes:\n  enable: true\n", `golden-path.yaml:2: unknown key "enable" in fixes`, 2},
		{"fixes owner", "fixes:\n  owner: \"@acme/x y\"\n",
			`golden-path.yaml:2: fixes.owner: must be a catalog owner such as group:payments-team, got "@acme/x y"`, 2},
		{"fixes template escapes", "fixes:\n  templates:\n    SECURITY.md: ../x\n",
			`golden-path.yaml:3: fixes.templates["SECURITY.md"]: must be a relative path inside the config repository, got "../x"`, 3},

		// syntax
		{"over-indented key", "rules:\n  disable: [a]\n  severity:\n    a: error\n     b: info\n",
			`golden-path.yaml:5: invalid YAML: mapping values are not allowed in this context`, 5},
		{"under-indented key", "threshold: 0.5\nrules:\n  disable: [a]\n severity: {}\n",
			`golden-path.yaml:4: invalid YAML: did not find expected key`, 4},
		{"unclosed flow list: where it starts", "threshold: 0.5\nignore_repositories: [a, b\nreport: {}\n",
			`golden-path.yaml:2: invalid YAML: did not find expected ',' or ']'`, 2},
		{"unclosed flow list on the first line", "ignore_repositories: [a, b",
			`golden-path.yaml:1: invalid YAML: did not find expected ',' or ']'`, 1},
		{"two documents", "threshold: 0.5\n---\nthreshold: 0.6\n",
			`golden-path.yaml:2: only one YAML document is allowed`, 2},
		{"unknown anchor", "ignore_repositories: *nope\n",
			`golden-path.yaml: invalid YAML: unknown anchor 'nope' referenced`, 0},
		{"alias inside its own anchor", "threshold: 0.5\nignore_repositories: &a [x, *a]\n",
			`golden-path.yaml:2: an alias refers to the node that contains it`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOrg(orgFile, []byte(tt.src))
			if err == nil {
				t.Fatalf("ParseOrg succeeded with %+v, want %q", o, tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T (%v) is not a *config.Error", err, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
			if ce.Line != tt.line || ce.File != orgFile {
				t.Errorf("File:Line = %s:%d, want %s:%d", ce.File, ce.Line, orgFile, tt.line)
			}
		})
	}
}

func TestParseOrgErrorColumns(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
	}{
		{"rules:\n  disabled: [x]\n", 2, 3},                           // unknown key: the key
		{"threshold: high\n", 1, 12},                                  // wrong type: the value
		{"rules:\n  enforce_from: {ci.present: 2027-13-01}\n", 2, 30}, // bad date: the value
		{"enforcement: strict\n", 1, 14},                              // bad enum: the value
	}
	for _, tt := range tests {
		_, err := ParseOrg(orgFile, []byte(tt.src))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("%q: got %v, want *Error", tt.src, err)
		}
		if ce.Line != tt.line || ce.Column != tt.col {
			t.Errorf("%q: position %d:%d, want %d:%d (%v)", tt.src, ce.Line, ce.Column, tt.line, tt.col, err)
		}
	}
}

func TestParseRepoOverride(t *testing.T) {
	r, err := ParseRepoOverride(".github/golden-path.yaml", []byte(
		"component_type: library\nowner: team-payments\nexemptions:\n  - rules: [operations.runbook]\n    reason: a library has no runbook\n    expires: 2027-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.ComponentType != "library" || r.Owner != "team-payments" || len(r.Exemptions) != 1 ||
		r.Exemptions[0].Expires != NewDate(2027, 1, 1) || len(r.Exemptions[0].Repositories) != 0 {
		t.Errorf("unexpected override %+v", r)
	}

	empty, err := ParseRepoOverride("x.yaml", nil)
	if err != nil || !reflect.DeepEqual(*empty, RepoOverride{file: "x.yaml"}) {
		t.Errorf("empty file: got %+v, %v", empty, err)
	}
}

func TestParseRepoOverrideErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"org key", "component_type: service\nenforcement: blocking\n",
			`golden-path.yaml:2: unknown key "enforcement"`},
		{"repositories present", "exemptions:\n  - rules: [x]\n    reason: r\n    repositories: [other-repo]\n",
			`golden-path.yaml:4: exemptions[0].repositories: not allowed in a repository's own file: its exemptions apply to that repository`},
		{"repositories present but empty", "exemptions:\n  - rules: [x]\n    reason: r\n    repositories: []\n",
			`golden-path.yaml:4: exemptions[0].repositories: not allowed in a repository's own file: its exemptions apply to that repository`},
		{"missing rules", "exemptions:\n  - reason: r\n",
			`golden-path.yaml:2: exemptions[0].rules: required: list at least one rule ID`},
		{"missing reason", "owner: me\nexemptions:\n  - rules: [x]\n",
			`golden-path.yaml:3: exemptions[0].reason: required: say why the exemption exists`},
		{"bad date", "exemptions:\n  - rules: [x]\n    reason: r\n    expires: soon\n",
			`golden-path.yaml:4: exemptions[0].expires: invalid date "soon", want YYYY-MM-DD`},
		{"owner is a mapping", "owner:\n  team: a\n",
			`golden-path.yaml:2: owner: expected a string, found a mapping`},
		{"syntax", "owner: team\nexemptions:\n  - rules: [x\n    reason: r\n",
			`golden-path.yaml:3: invalid YAML: did not find expected ',' or ']'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRepoOverride(orgFile, []byte(tt.src))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *config.Error %q", err, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestCheckOverrideAndExemptionsFor(t *testing.T) {
	const repoFile = ".github/golden-path.yaml"
	withEx, err := ParseRepoOverride(repoFile, []byte("owner: team-a\n\nexemptions:\n  - rules: [iac.present]\n    reason: r\n"))
	if err != nil {
		t.Fatal(err)
	}
	without, err := ParseRepoOverride(repoFile, []byte("owner: team-a\n"))
	if err != nil {
		t.Fatal(err)
	}
	closed := mustParseOrg(t, productExample)
	open := mustParseOrg(t, productExample+"allow_repository_exemptions: true\n")

	tests := []struct {
		name    string
		org     *Org
		r       *RepoOverride
		wantErr string
		wantN   int // len(ExemptionsFor)
	}{
		{"not allowed", closed, withEx,
			".github/golden-path.yaml:3: exemptions are not allowed here: the org configuration does not set allow_repository_exemptions", 1},
		{"allowed", open, withEx, "", 2},
		{"no exemptions", closed, without, "", 1},
		{"no override", closed, nil, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.org.CheckOverride(tt.r)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckOverride: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("CheckOverride = %v, want %s", err, tt.wantErr)
			}
			got := tt.org.ExemptionsFor(tt.r)
			if len(got) != tt.wantN {
				t.Fatalf("ExemptionsFor gave %d exemptions, want %d", len(got), tt.wantN)
			}
			if got[0].Reason != "Decommissioned in Q3" {
				t.Errorf("org exemption should come first, got %+v", got[0])
			}
		})
	}

	// The result must not share the org's backing array.
	got := open.ExemptionsFor(nil)
	got[0].Reason = "changed"
	if open.Exemptions[0].Reason == "changed" {
		t.Error("ExemptionsFor returned the org's own slice")
	}
	// Override exemptions have no repositories and apply to their repository.
	list := open.ExemptionsFor(withEx)
	if ex, expired := MatchExemption(list, "acme/payments", "iac.present", day("2030-01-01")); ex == nil || expired || ex.Reason != "r" {
		t.Errorf("override exemption did not apply: %+v %v", ex, expired)
	}
}

func TestExemption(t *testing.T) {
	o := mustParseOrg(t, `exemptions:
  - repositories: ["legacy-*"]
    rules: [iac.present]
    reason: first, expired
    expires: 2026-01-31
  - repositories: ["legacy-*", "old-api"]
    rules: [iac.present, ci.present]
    reason: second
    expires: 2027-03-31
  - repositories: ["**"]
    rules: [docs.techdocs]
    reason: nobody writes techdocs yet
  - repositories: ["archive-*"]
    rules: [ci.present]
    reason: only expired
    expires: 2025-06-30
`)
	tests := []struct {
		name        string
		repo, rule  string
		today       time.Time
		wantReason  string // "" = no exemption
		wantExpired bool
	}{
		{"skips expired, takes the next", "legacy-billing", "iac.present", day("2026-06-01"), "second", false},
		{"first one while valid", "legacy-billing", "iac.present", day("2026-01-31"), "first, expired", false},
		{"applies on its last day", "old-api", "ci.present", day("2027-03-31").Add(23 * time.Hour), "second", false},
		{"expired the day after", "old-api", "ci.present", day("2027-04-01"), "second", true},
		{"only expired ones: first of them", "legacy-x", "iac.present", day("2028-01-01"), "first, expired", true},
		{"owner is ignored", "acme/old-api", "ci.present", day("2027-01-01"), "second", false},
		{"rule must match", "old-api", "docs.readme", day("2027-01-01"), "", false},
		{"glob must match", "new-api", "iac.present", day("2027-01-01"), "", false},
		{"name case ignored", "Legacy-Billing", "iac.present", day("2026-06-01"), "second", false},
		{"glob case ignored", "OLD-API", "ci.present", day("2027-01-01"), "second", false},
		{"doublestar everything", "anything", "docs.techdocs", day("2099-01-01"), "nobody writes techdocs yet", false},
		{"expired only", "archive-1", "ci.present", day("2025-07-01"), "only expired", true},
		// The day is today's calendar day in its own location: 00:30 on
		// 1 April in UTC+2 is already 1 April, though still 31 March in UTC.
		{"calendar day in today's location", "old-api", "ci.present",
			time.Date(2027, 4, 1, 0, 30, 0, 0, time.FixedZone("CEST", 2*3600)), "second", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, expired := o.Exemption(tt.repo, tt.rule, tt.today)
			reason := ""
			if ex != nil {
				reason = ex.Reason
			}
			if reason != tt.wantReason || expired != tt.wantExpired {
				t.Errorf("got (%q, %v), want (%q, %v)", reason, expired, tt.wantReason, tt.wantExpired)
			}
		})
	}
}

func TestOrgRuleHelpers(t *testing.T) {
	o := mustParseOrg(t, `rules:
  disable: [measurement.slo]
  severity: {catalog.owner: error, docs.readme: info}
  enforce_from: {ci.present: 2027-01-15}
ignore_repositories: ["*-sandbox", "tmp-?", "MIXED-case-*"]
`)
	t.Run("Disabled", func(t *testing.T) {
		for rule, want := range map[string]bool{"measurement.slo": true, "measurement": false, "catalog.owner": false} {
			if got := o.Disabled(rule); got != want {
				t.Errorf("Disabled(%q) = %v, want %v", rule, got, want)
			}
		}
	})
	t.Run("SeverityFor", func(t *testing.T) {
		tests := []struct{ rule, dflt, want string }{
			{"catalog.owner", "warning", "error"},
			{"docs.readme", "error", "info"},
			{"ci.present", "warning", "warning"},
		}
		for _, tt := range tests {
			if got := o.SeverityFor(tt.rule, tt.dflt); got != tt.want {
				t.Errorf("SeverityFor(%q, %q) = %q, want %q", tt.rule, tt.dflt, got, tt.want)
			}
		}
	})
	t.Run("Ignored", func(t *testing.T) {
		tests := []struct {
			repo string
			want bool
		}{
			{"payments-sandbox", true},
			{"acme/payments-sandbox", true},
			{"tmp-1", true},
			{"tmp-12", false},
			{"sandbox-payments", false},
			{"payments", false},
			{"Payments-Sandbox", true},
			{"acme/PAYMENTS-SANDBOX", true},
			{"TMP-1", true},
			{"Mixed-Case-Glob", true},
		}
		for _, tt := range tests {
			if got := o.Ignored(tt.repo); got != tt.want {
				t.Errorf("Ignored(%q) = %v, want %v", tt.repo, got, tt.want)
			}
		}
	})
	t.Run("Enforced", func(t *testing.T) {
		tests := []struct {
			rule  string
			today time.Time
			want  bool
		}{
			{"ci.present", day("2027-01-14").Add(23*time.Hour + 59*time.Minute), false},
			{"ci.present", day("2027-01-15"), true},
			{"ci.present", day("2030-01-01"), true},
			{"docs.readme", day("2000-01-01"), true}, // no enforce_from
		}
		for _, tt := range tests {
			if got := o.Enforced(tt.rule, tt.today); got != tt.want {
				t.Errorf("Enforced(%q, %s) = %v, want %v", tt.rule, tt.today, got, tt.want)
			}
		}
	})
	t.Run("ReportRepository", func(t *testing.T) {
		if got := o.ReportRepository(".github"); got != ".github" {
			t.Errorf("default: got %q", got)
		}
		set := mustParseOrg(t, "report: {repository: platform}\n")
		if got := set.ReportRepository(".github"); got != "platform" {
			t.Errorf("set: got %q", got)
		}
	})
}

func TestDigest(t *testing.T) {
	base := mustParseOrg(t, productExample).Digest()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("digest %q is not hex sha256", base)
	}
	same := []string{
		// keys reordered, comments and flow/block style changed
		`# platform config
ignore_repositories:
  - "*-sandbox"
policies: {path: golden-path/policies}
report: {repository: .github}
exemptions:
  - expires: "2027-03-31"
    reason: Decommissioned in Q3
    rules: [iac.present]
    repositories: [legacy-*]
rules:
  severity:
    catalog.owner: error
  disable:
    - measurement.slo
threshold: 0.80
`,
		// explicit empties equal absent ones
		productExample + "allow_repository_exemptions: false\n",
	}
	for i, src := range same {
		if got := mustParseOrg(t, src).Digest(); got != base {
			t.Errorf("equivalent file %d has a different digest", i)
		}
	}
	if a, b := DefaultOrg().Digest(), mustParseOrg(t, "rules: {disable: [], severity: {}}\nexemptions: []\n").Digest(); a != b {
		t.Error("empty lists and maps changed the digest")
	}
	different := []string{
		strings.Replace(productExample, "threshold: 0.8", "threshold: 0.7", 1),
		strings.Replace(productExample, "2027-03-31", "2027-04-01", 1),
		strings.Replace(productExample, "advisory", "blocking", 1),
		productExample + "allow_repository_exemptions: true\n",
	}
	for i, src := range different {
		if got := mustParseOrg(t, src).Digest(); got == base {
			t.Errorf("changed file %d kept the digest", i)
		}
	}
}

func TestOrgJSONRoundTrip(t *testing.T) {
	o := mustParseOrg(t, strings.Replace(productExample, "rules:\n", "rules:\n  enforce_from: {ci.present: 2027-01-15}\n", 1))
	if len(o.Rules.EnforceFrom) != 1 {
		t.Fatalf("enforce_from not parsed: %+v", o.Rules)
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"expires":"2027-03-31"`) || !strings.Contains(string(b), `"ci.present":"2027-01-15"`) {
		t.Errorf("dates not in YYYY-MM-DD form: %s", b)
	}
	var back Org
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, o) || back.Digest() != o.Digest() {
		t.Errorf("round trip changed the config:\n got %+v\nwant %+v", back, *o)
	}
}

// FuzzParseOrg checks that no input panics and that every failure is an
// *Error; the seeds run as part of go test.
func FuzzParseOrg(f *testing.F) {
	for _, s := range []string{productExample, "", "threshold: [", "a: &a [*a]", "exemptions: [{rules: [x]}]",
		"rules: {enforce_from: {x: 2027-02-30}}", "- 1\n- 2\n", "? [a]\n: b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseOrg(orgFile, data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *config.Error: %v", err, err)
			}
			return
		}
		_ = o.Digest()
	})
}

func TestCheckRuleIDs(t *testing.T) {
	known := func(id string) bool { return id == "docs.readme" || id == "catalog.owner" }
	tests := []struct {
		name, yaml string
		line       int // 0: no error
	}{
		{"all known", "rules:\n  disable: [docs.readme]\n  severity: {catalog.owner: warning}\n", 0},
		{"disable", "rules:\n  disable:\n    - docs.readme\n    - docs.readmee\n", 4},
		{"severity", "rules:\n  severity:\n    catalog.ownr: error\n", 3},
		{"enforce_from", "rules:\n  enforce_from:\n    nope: 2027-01-01\n", 3},
		{"exemption", "exemptions:\n  - repositories: [x]\n    rules: [docs.readme, ci.presnt]\n    reason: r\n", 3},
		{"fixes", "fixes:\n  rules:\n    - docs.readme\n    - docs.readm\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseOrg("golden-path.yaml", []byte(tt.yaml)); err != nil {
				t.Fatal(err)
			}
			err := CheckRuleIDs("golden-path.yaml", []byte(tt.yaml), known)
			var ce *Error
			switch {
			case tt.line == 0 && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.line != 0 && (!errors.As(err, &ce) || ce.Line != tt.line || !strings.Contains(ce.Message, "no rule has the ID")):
				t.Fatalf("error %v, want one at line %d", err, tt.line)
			}
		})
	}
}
