package format

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
)

// sarifLog is the part of SARIF that GitHub code scanning reads, decoded from the
// written bytes so the test sees exactly what would be uploaded.
type sarifLog struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string                 `json:"id"`
					Name             string                 `json:"name"`
					ShortDescription *struct{ Text string } `json:"shortDescription"`
					FullDescription  *struct{ Text string } `json:"fullDescription"`
					Help             *struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"help"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations           []sarifTestLocation `json:"locations"`
			RelatedLocations    []sarifTestLocation `json:"relatedLocations"`
			PartialFingerprints map[string]string   `json:"partialFingerprints"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful            bool `json:"executionSuccessful"`
			ToolConfigurationNotifications []struct {
				Message struct{ Text string } `json:"message"`
			} `json:"toolConfigurationNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

type sarifTestLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
}

func decodeSARIF(t *testing.T, out []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v\n%s", err, out)
	}
	return log
}

// TestSARIFMatchesSchema validates against the SARIF 2.1.0 JSON schema that
// go-sarif embeds; the report validated is the one Write encodes.
func TestSARIFMatchesSchema(t *testing.T) {
	for name, ev := range map[string]*policies.Evaluation{"hostile": hostileEvaluation(), "empty": emptyEvaluation()} {
		rep := sarifWriter{opts: Options{Version: "1.2.3", Rules: testRules}}.report(ev)
		if err := rep.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The validator does reject a broken log, so a pass above means something.
	rep := sarifWriter{}.report(hostileEvaluation())
	rep.Runs[0].Results[0].Level = "fatal"
	if err := rep.Validate(); err == nil {
		t.Error("schema validation accepted a result with level \"fatal\"")
	}
}

func TestSARIFForCodeScanning(t *testing.T) {
	ev := hostileEvaluation()
	log := decodeSARIF(t, write(t, SARIF, Options{Version: "1.2.3", Rules: testRules}, ev))

	if log.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("$schema %q, version %q, %d runs; want schemastore 2.1.0 and one run", log.Schema, log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "goldenpath" || d.Version != "1.2.3" || d.InformationURI == "" {
		t.Errorf("driver = %q %q %q", d.Name, d.Version, d.InformationURI)
	}

	// Every rule is described, whatever its status.
	if len(d.Rules) != len(ev.Results) {
		t.Fatalf("%d rules, want %d", len(d.Rules), len(ev.Results))
	}
	wantLevel := map[policies.Severity]string{"error": "error", "warning": "warning", "info": "note"}
	for i, r := range ev.Results {
		got := d.Rules[i]
		if got.ID != r.Rule || got.Name == "" || got.ShortDescription == nil || got.ShortDescription.Text != oneLine(r.Title) ||
			got.FullDescription == nil || got.FullDescription.Text == "" {
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

	// Results only for fail and error, each pointing at its rule and a file.
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

	uri := func(l sarifTestLocation) string { return l.PhysicalLocation.ArtifactLocation.URI }
	owner, readme, codeowners, ruleErr := run.Results[0], run.Results[1], run.Results[2], run.Results[3]
	if uri(owner.Locations[0]) != "catalog-info.yaml" || owner.Locations[0].PhysicalLocation.Region.StartLine != 4 {
		t.Errorf("catalog.owner at %+v", owner.Locations[0])
	}
	// No files: the first literal path the rule reads, else catalog-info.yaml.
	if got := uri(readme.Locations[0]); got != "README.md" {
		t.Errorf("docs.readme without files points at %q, want README.md (from the rule's reads)", got)
	}
	if got := uri(ruleErr.Locations[0]); got != FallbackArtifact {
		t.Errorf("custom.payments.pci without files points at %q, want %s", got, FallbackArtifact)
	}
	// Hostile file names are percent-encoded, and decode back to the real path.
	all := append([]sarifTestLocation{}, codeowners.Locations...)
	all = append(all, codeowners.RelatedLocations...)
	for i, f := range ev.Results[3].Files {
		got := uri(all[i])
		if strings.ContainsAny(got, " \n#%:?\u202e\x1b") && !strings.Contains(got, "%") {
			t.Errorf("uri %q is not escaped", got)
		}
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
		{"", FallbackArtifact},
	}
	for _, tt := range tests {
		if got := artifactURI(tt.path); got != tt.want {
			t.Errorf("artifactURI(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
