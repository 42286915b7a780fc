package format

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/goldenpath/goldenpath/policies"
)

func decodeSARIF(t *testing.T, out []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v\n%s", err, out)
	}
	return log
}

// TestSARIFMatchesSchema validates what Write encodes against the SARIF 2.1.0
// JSON schema (OASIS, errata 01, shipped in testdata/schemas) with
// santhosh-tekuri/jsonschema, and checks GitHub's own rules the schema leaves
// open: a location on every result, no -1 sentinel, no empty array but results.
func TestSARIFMatchesSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	f, err := os.Open("testdata/schemas/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	const schemaURL = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	validate := func(out []byte) error {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			return err
		}
		return schema.Validate(v)
	}
	for name, ev := range map[string]*policies.Evaluation{
		"hostile": hostileEvaluation(), "components": monorepoEvaluation(), "empty": emptyEvaluation(),
	} {
		for _, paths := range [][]string{nil, repoPaths} {
			out := write(t, SARIF, Options{Version: "1.2.3", Rules: testRules, Paths: paths}, ev)
			if err := validate(out); err != nil {
				t.Errorf("%s (paths known: %v): %v", name, paths != nil, err)
			}
			if bytes.Contains(out, []byte(": -1")) || bytes.Contains(out, []byte("[]")) && name != "empty" {
				t.Errorf("%s: a -1 sentinel or an empty array:\n%s", name, out)
			}
			for _, res := range decodeSARIF(t, out).Runs[0].Results {
				if len(res.Locations) == 0 {
					t.Errorf("%s: result %s has no location; GitHub rejects the upload", name, res.RuleID)
				}
			}
		}
	}
	// The validator does reject a broken log, so a pass above means something.
	broken := bytes.Replace(write(t, SARIF, Options{}, hostileEvaluation()), []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	if err := validate(broken); err == nil {
		t.Error("schema validation accepted a result with level \"fatal\"")
	}
}

// repoPaths are the files of the repository hostileEvaluation judges.
var repoPaths = []string{
	".gitignore", "catalog-info.yaml", "docs/my file#1%.md", "weird\nname<script>.md", "ünïcødé/日本語.md",
	"a:b.txt", "openapi.yaml", "web app/ü#1/README.md", "web app/ü#1/package.json",
}

func TestSARIFForCodeScanning(t *testing.T) {
	ev := hostileEvaluation()
	rules := append([]policies.Rule{{ID: "catalog.present", File: "policies/rules/catalog_present.rego"}}, testRules...)
	log := decodeSARIF(t, write(t, SARIF, Options{Version: "1.2.3", Rules: rules, Paths: repoPaths}, ev))

	if log.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("$schema %q, version %q, %d runs; want schemastore 2.1.0 and one run", log.Schema, log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "goldenpath" || d.Version != "1.2.3" || d.InformationURI == "" {
		t.Errorf("driver = %q %q %q", d.Name, d.Version, d.InformationURI)
	}
	// The category is the repository's, the same on every run.
	if run.AutomationDetails == nil || run.AutomationDetails.ID != "goldenpath/acme/api]0;pwned/" {
		t.Errorf("automationDetails = %+v, want id goldenpath/<repository>/", run.AutomationDetails)
	}

	// Every rule is described, whatever its status.
	if len(d.Rules) != len(ev.Results) {
		t.Fatalf("%d rules, want %d", len(d.Rules), len(ev.Results))
	}
	wantLevel := map[policies.Severity]string{"error": "error", "warning": "warning", "info": "note"}
	for i, r := range ev.Results {
		got := d.Rules[i]
		if got.ID != r.Rule || got.Name == "" || got.ShortDescription.Text != oneLine(r.Title) || got.FullDescription.Text == "" {
			t.Errorf("rule %d = %+v, want id %s with name and descriptions", i, got, r.Rule)
		}
		if got.DefaultConfiguration.Level != wantLevel[r.Severity] {
			t.Errorf("rule %s: level %q, want %q", r.Rule, got.DefaultConfiguration.Level, wantLevel[r.Severity])
		}
		if tags, _ := got.Properties["tags"].([]any); len(tags) != 1 || tags[0] != r.Aspect {
			t.Errorf("rule %s: tags %v, want [%s]", r.Rule, got.Properties["tags"], r.Aspect)
		}
		if r.Remediation != "" && (got.Help == nil || got.Help.Text == "" || got.Help.Markdown == "") {
			t.Errorf("rule %s: help = %+v, want the remediation", r.Rule, got.Help)
		}
	}
	if d.Rules[1].Name != "CatalogOwner" || !strings.Contains(d.Rules[1].FullDescription.Text, "owning team") {
		t.Errorf("catalog.owner described as %q / %q", d.Rules[1].Name, d.Rules[1].FullDescription.Text)
	}
	// A bundled rule links to its documented source; a rule of unknown origin has no link.
	if got := d.Rules[0].HelpURI; got != "https://github.com/goldenpath/goldenpath/blob/main/policies/rules/catalog_present.rego" {
		t.Errorf("catalog.present helpUri = %q", got)
	}
	if got := d.Rules[4].HelpURI; got != "" {
		t.Errorf("custom rule helpUri = %q, want none", got)
	}

	// Results only for fail and error, each pointing at its rule and a file that exists.
	var ids []string
	for _, res := range run.Results {
		ids = append(ids, res.RuleID)
		if res.RuleIndex < 0 || res.RuleIndex >= len(d.Rules) || d.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d does not point at its rule", res.RuleID, res.RuleIndex)
		}
		if res.Message.Text == "" || strings.ContainsAny(res.Message.Text, "\x1b\r") {
			t.Errorf("result %s: message %q", res.RuleID, res.Message.Text)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %s: locations %+v, want one with startLine >= 1", res.RuleID, res.Locations)
		}
		for _, l := range append(res.Locations, res.RelatedLocations...) {
			u, err := url.Parse(l.PhysicalLocation.ArtifactLocation.URI)
			if err != nil || !strings.Contains(strings.Join(repoPaths, "\x00"), u.Path) {
				t.Errorf("result %s: located at %q, not a file of the repository", res.RuleID, l.PhysicalLocation.ArtifactLocation.URI)
			}
		}
		if fp := res.PartialFingerprints["goldenpath/v1"]; len(fp) != 64 {
			t.Errorf("result %s: partial fingerprint %q", res.RuleID, fp)
		}
	}
	if got, want := strings.Join(ids, " "), "catalog.owner docs.readme ownership.codeowners custom.payments.pci"; got != want {
		t.Errorf("results for %s, want %s", got, want)
	}
	levels := map[string]string{}
	for _, res := range run.Results {
		levels[res.RuleID] = res.Level
	}
	if levels["catalog.owner"] != "error" || levels["docs.readme"] != "warning" || levels["ownership.codeowners"] != "note" {
		t.Errorf("result levels %v", levels)
	}

	uri := func(l sarifLocation) string { return l.PhysicalLocation.ArtifactLocation.URI }
	owner, readme, codeowners, ruleErr := run.Results[0], run.Results[1], run.Results[2], run.Results[3]
	if uri(owner.Locations[0]) != "catalog-info.yaml" || owner.Locations[0].PhysicalLocation.Region.StartLine != 4 {
		t.Errorf("catalog.owner at %+v", owner.Locations[0])
	}
	// No files: the catalog descriptor, which exists here; never the missing README.
	if got := uri(readme.Locations[0]); got != "catalog-info.yaml" {
		t.Errorf("docs.readme without files points at %q, want the existing catalog-info.yaml", got)
	}
	if got := uri(ruleErr.Locations[0]); got != "catalog-info.yaml" {
		t.Errorf("custom.payments.pci without files points at %q, want catalog-info.yaml", got)
	}
	// Hostile file names are percent-encoded, and decode back to the real path;
	// the one file that is not in the repository is left out.
	all := append(append([]sarifLocation{}, codeowners.Locations...), codeowners.RelatedLocations...)
	if len(all) != 4 {
		t.Fatalf("ownership.codeowners at %d files, want the 4 that exist", len(all))
	}
	for i, f := range ev.Results[3].Files[:4] {
		got := uri(all[i])
		if strings.ContainsAny(got, " \n#:\u202e\x1b<>") {
			t.Errorf("uri %q keeps a character that must be escaped", got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Path != f.Path {
			t.Errorf("uri %q parses to %+v (%v), want the relative path %q", got, u, err, f.Path)
		}
		if line := all[i].PhysicalLocation.Region.StartLine; line != max(f.Line, 1) {
			t.Errorf("uri %q: startLine %d, want %d", got, line, max(f.Line, 1))
		}
	}
	if got := uri(codeowners.Locations[0]); got != "docs/my%20file%231%25.md" {
		t.Errorf("uri = %q, want docs/my%%20file%%231%%25.md", got)
	}

	// Configuration problems are notifications, not alerts.
	if len(run.Invocations) != 1 || len(run.Invocations[0].ToolConfigurationNotifications) != 2 ||
		!run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocations = %+v, want one with the two problems", run.Invocations)
	}
}

// TestSARIFAnchors: a finding that names no existing file is shown at a file that
// exists — the component's descriptor, the root's, a README, the first file —
// and becomes a notification when there is none.
func TestSARIFAnchors(t *testing.T) {
	web := &policies.Component{Name: "web", Path: "apps/web"}
	tests := []struct {
		name      string
		paths     []string
		component *policies.Component
		want      string // "" = no anchor
	}{
		{"component descriptor", []string{"catalog-info.yaml", "apps/web/catalog-info.yaml"}, web, "apps/web/catalog-info.yaml"},
		{"root descriptor", []string{"apps/web/index.js", "catalog-info.yml"}, web, "catalog-info.yml"},
		{"component README", []string{"apps/web/README.md", "README.md"}, web, "apps/web/README.md"},
		{"root README", []string{"README.md", "main.go"}, nil, "README.md"},
		{"first file", []string{"main.go", "go.mod", ".gitignore"}, nil, ".gitignore"},
		{"empty repository", []string{}, nil, ""},
		{"files unknown", nil, nil, ""},
	}
	for _, tt := range tests {
		got, ok := newAnchors(tt.paths).anchor(tt.component)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("%s: anchor = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}

	// Without a file to anchor at, the finding is a notification naming its rule.
	ev := hostileEvaluation()
	log := decodeSARIF(t, write(t, SARIF, Options{Paths: []string{}}, ev))
	run := log.Runs[0]
	var notified []string
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		if n.Descriptor != nil {
			notified = append(notified, n.Descriptor.ID)
		}
	}
	if len(run.Results) != 0 || strings.Join(notified, " ") != "catalog.owner docs.readme ownership.codeowners custom.payments.pci" {
		t.Errorf("in an empty repository: %d results, notifications for %v; want none and all four", len(run.Results), notified)
	}
}

func TestSARIFFingerprintsAreStable(t *testing.T) {
	first := decodeSARIF(t, write(t, SARIF, Options{}, hostileEvaluation()))
	moved := hostileEvaluation()
	moved.Results[1].Files[0].Line = 40                  // the owner moved down the file
	moved.Results[1].Message += "\nsee the catalog docs" // later lines may change
	second := decodeSARIF(t, write(t, SARIF, Options{Version: "2.0.0"}, moved))

	seen := map[string]string{}
	for i, res := range first.Runs[0].Results {
		fp := res.PartialFingerprints[fingerprintKey]
		if fp != second.Runs[0].Results[i].PartialFingerprints[fingerprintKey] {
			t.Errorf("result %s: fingerprint changed across uploads", res.RuleID)
		}
		if other, dup := seen[fp]; dup {
			t.Errorf("results %s and %s share a fingerprint", other, res.RuleID)
		}
		seen[fp] = res.RuleID
	}
	changed := hostileEvaluation()
	changed.Results[1].Files[0].Path = "other/catalog-info.yaml"
	third := decodeSARIF(t, write(t, SARIF, Options{}, changed))
	if third.Runs[0].Results[0].PartialFingerprints[fingerprintKey] == first.Runs[0].Results[0].PartialFingerprints[fingerprintKey] {
		t.Error("a result in another file kept the same fingerprint")
	}
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ path, want string }{
		{"README.md", "README.md"},
		{"./docs/index.md", "docs/index.md"},
		{"/abs/file.go", "abs/file.go"},
		{"a b/c#d%e?.md", "a%20b/c%23d%25e%3F.md"},
		{"a:b.txt", "a%3Ab.txt"},
		{"line\nbreak", "line%0Abreak"},
		{"@org/team", "@org/team"},
		{"ü.md", "%C3%BC.md"},
	}
	for _, tt := range tests {
		if got := artifactURI(tt.path); got != tt.want {
			t.Errorf("artifactURI(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
