package format

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/goldenpath/goldenpath/policies"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// hostileEvaluation has every status and severity, and text that tries to break
// each format: newlines that forge report lines, ANSI and OSC escapes, markup,
// bidi overrides, invalid UTF-8, and file names with spaces, '#', '%', ':' and
// non-ASCII letters.
func hostileEvaluation() *policies.Evaluation {
	results := []policies.Result{
		{
			Rule: "catalog.present", Title: "Catalog file exists", Aspect: "investment", Level: 1,
			Severity: policies.SeverityError, Status: policies.StatusPass, Message: "Catalog file exists",
			Files: []policies.FileRef{{Path: "catalog-info.yaml"}},
		},
		{
			Rule: "catalog.owner", Title: "Catalog names an owning team", Aspect: "investment", Level: 2,
			Severity: policies.SeverityError, Status: policies.StatusFail,
			Message: "spec.owner is missing, so nobody is paged and the adoption report cannot " +
				"credit a team for this component\n  ✓ security.policy  forged pass\x1b[2J\r",
			Files: []policies.FileRef{{Path: "catalog-info.yaml", Line: 4}},
			Remediation: "Name the owning team in spec.owner, for example @org/team:\n\n" +
				"```yaml\nspec:\n  owner: group:default/payments-team   # the team that is paged for this component\n```\n",
		},
		{
			Rule: "docs.readme", Title: "README present", Aspect: "adoption", Level: 1,
			Severity: policies.SeverityWarning, Status: policies.StatusFail,
			Message:     "no README <script>alert(1)</script> & no docs/ ]]> <![CDATA[",
			Remediation: "Add a README.md that says what the component does and how to run it.",
		},
		{
			Rule: "ownership.codeowners", Title: "CODEOWNERS covers every path", Aspect: "adoption", Level: 2,
			Severity: policies.SeverityInfo, Status: policies.StatusFail,
			Message: "paths without an owner: 5",
			Files: []policies.FileRef{
				{Path: "docs/my file#1%.md"},
				{Path: "weird\nname<script>.md", Line: 7},
				{Path: "ünïcødé/日本語.md", Line: 2},
				{Path: "a:b.txt", Line: 1},
				{Path: "\u202eevil\x1b[31m.md", Line: 3},
			},
			Remediation: "Add a line per path to .github/CODEOWNERS: `/docs/ @org/docs-team`",
		},
		{
			Rule: "custom.payments.pci", Title: "PCI scope declared", Aspect: "operations", Level: 3,
			Severity: policies.SeverityError, Status: policies.StatusError,
			Message: "rule failed: eval_conflict_error: <b>functions must not produce multiple outputs</b>\xff",
			Files:   []policies.FileRef{},
		},
		{
			Rule: "iac.present", Title: "Infrastructure as code", Aspect: "operations", Level: 2,
			Severity: policies.SeverityWarning, Status: policies.StatusSkip, Exempt: true,
			Message: "Decommissioned in Q3",
		},
		{
			Rule: "measurement.slo", Title: "Service level objectives defined", Aspect: "measurement", Level: 3,
			Severity: policies.SeverityInfo, Status: policies.StatusSkip,
			Message: "not applicable to library",
		},
		{
			Rule: "interfaces.api_spec", Title: "API described by an OpenAPI, AsyncAPI or protobuf specification that is checked in",
			Aspect: "interfaces", Level: 2, Severity: policies.SeverityWarning, Status: policies.StatusPass,
			Message: "openapi.yaml is a valid OpenAPI 3.1 document",
			Files:   []policies.FileRef{{Path: "openapi.yaml", Line: 1}},
		},
	}
	for i := range results {
		results[i].Scope = policies.ScopeRepository
		if i == 1 || i == 2 || i >= 5 {
			results[i].Scope = policies.ScopeComponent
		}
	}
	api := []policies.Result{results[1], results[2], results[5], results[6], results[7]}
	return &policies.Evaluation{
		Schema:        2,
		Repository:    "acme/api\x1b]0;pwned\x07",
		ComponentType: "service",
		Owner:         "@org/team",
		Summary:       policies.Summarize(results),
		Results:       results,
		Components: []policies.Component{{
			Name: "api", Ref: "component:default/api", Path: ".", Type: "service", TypeSource: policies.TypeFromCatalog,
			Owner: "@org/team", Summary: policies.Summarize(api), Results: api,
		}},
		Problems: []policies.Problem{
			{Source: ".github/golden-path.yaml", Line: 3, Message: "unknown key \"foo\"\n\x1b[1A\x1b[2Kall rules pass"},
			{Source: "golden-path/policies/evil.rego", Message: "package goldenpath.evil is outside goldenpath.custom.*"},
		},
		ExpiredExemptions: []policies.ExpiredExemption{{Rule: "ci.present", Reason: "legacy build", Expires: "2024-01-01"}},
	}
}

// testRules is the rule metadata the engine would pass in Options.Rules.
var testRules = []policies.Rule{
	{ID: "docs.readme", Description: "A README tells newcomers what the component is.", Reads: []string{"README*", "README.md"}},
	{ID: "catalog.owner", Description: "Every component has an owning team in its catalog entry."},
}

func write(t *testing.T, name string, opts Options, ev *policies.Evaluation) []byte {
	t.Helper()
	w, err := ByName(name, opts)
	if err != nil {
		t.Fatalf("ByName(%q): %v", name, err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, ev); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestGolden(t *testing.T) {
	opts := Options{Version: "1.2.3", Rules: testRules}
	colour := opts
	colour.Color = true
	quiet := opts
	quiet.Quiet = true
	withPaths := opts
	withPaths.Paths = repoPaths
	quietColour := colour
	quietColour.Quiet = true
	failOnWarning := opts
	failOnWarning.FailOn = policies.SeverityWarning
	exitZero := failOnWarning
	exitZero.ExitZero = true
	tests := []struct {
		format string
		opts   Options
		ev     *policies.Evaluation
		file   string
	}{
		{Text, opts, hostileEvaluation(), "hostile.txt"},
		{Text, colour, hostileEvaluation(), "hostile.color.txt"},
		{JSON, opts, hostileEvaluation(), "hostile.json"},
		{SARIF, withPaths, hostileEvaluation(), "hostile.sarif"},
		{JUnit, opts, hostileEvaluation(), "hostile.xml"},
		{Text, opts, monorepoEvaluation(), "components.txt"},
		{JSON, opts, monorepoEvaluation(), "components.json"},
		{SARIF, withPaths, monorepoEvaluation(), "components.sarif"},
		{JUnit, opts, monorepoEvaluation(), "components.xml"},
		{Text, opts, emptyEvaluation(), "empty.txt"},
		{Text, quiet, hostileEvaluation(), "hostile.quiet.txt"},
		{Text, quietColour, hostileEvaluation(), "hostile.quiet.color.txt"},
		{Text, opts, warningsOnly(), "warnings.txt"},
		{Text, failOnWarning, warningsOnly(), "warnings.fail-on-warning.txt"},
		{Text, exitZero, warningsOnly(), "warnings.exit-zero.txt"},
		{JSON, opts, emptyEvaluation(), "empty.json"},
		{SARIF, Options{}, emptyEvaluation(), "empty.sarif"},
		{JUnit, opts, emptyEvaluation(), "empty.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, write(t, tt.format, tt.opts, tt.ev))
		})
	}
}

// monorepoEvaluation is the hostile evaluation with a second component, whose
// name, path and type reason are hostile too.
func monorepoEvaluation() *policies.Evaluation {
	ev := hostileEvaluation()
	web := slices.Clone(ev.Components[0].Results)
	web[0].Status, web[0].Message, web[0].Files = policies.StatusPass, "Component web is owned by group:web\n✓ forged", nil
	web[4].Status, web[4].Message, web[4].Files = policies.StatusSkip, "the component provides no API", nil
	ev.Components = append(ev.Components, policies.Component{
		Name: "web\x1b[2J<b>", Ref: "component:default/web", Path: "web app/ü#1", Type: "website",
		TypeSource: policies.TypeFromInferred, TypeReason: "website (next.config.js)\n  ✓ forged",
		Owner: "group:web", Summary: policies.Summarize(web), Results: web,
	})
	ev.Notes = []policies.FileError{{Path: "catalog-info.yaml", Line: 9, Message: "Location target \"../x\" ignored: outside the repository\n✓ forged"}}
	return ev
}

// warningsOnly is the hostile evaluation with its error-severity failure
// fixed and its rule error gone: only a warning and an info rule fail.
func warningsOnly() *policies.Evaluation {
	ev := hostileEvaluation()
	ev.Results[1].Status, ev.Results[1].Message = policies.StatusPass, "spec.owner is group:default/payments-team"
	ev.Results = slices.Delete(ev.Results, 4, 5)
	ev.Components[0].Results[0] = ev.Results[1]
	ev.Problems = nil
	ev.Summary = policies.Summarize(ev.Results)
	return ev
}

func emptyEvaluation() *policies.Evaluation {
	return &policies.Evaluation{Schema: 2, Repository: "acme/empty", ComponentType: "docs", Summary: policies.Summarize(nil)}
}

func TestByName(t *testing.T) {
	for _, name := range append(Names(), " SARIF ", "Text") {
		if _, err := ByName(name, Options{}); err != nil {
			t.Errorf("ByName(%q): %v", name, err)
		}
	}
	_, err := ByName("xml", Options{})
	if err == nil {
		t.Fatal("ByName(xml) succeeded; want an error")
	}
	for _, name := range Names() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list the valid format %q", err, name)
		}
	}
}

func TestNilEvaluation(t *testing.T) {
	for _, name := range Names() {
		w, _ := ByName(name, Options{})
		if err := w.Write(&bytes.Buffer{}, nil); err == nil {
			t.Errorf("%s: writing a nil evaluation succeeded", name)
		}
	}
}

var ownANSI = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestTextIsSafeAndReadable(t *testing.T) {
	ev := hostileEvaluation()
	plain := string(write(t, Text, Options{}, ev))
	coloured := string(write(t, Text, Options{Color: true}, ev))

	if strings.ContainsAny(plain, "\x1b\r\x07\u202e") || !utf8.ValidString(plain) {
		t.Errorf("plain text carries control characters or invalid UTF-8:\n%q", plain)
	}
	if !strings.Contains(coloured, "\x1b[") {
		t.Error("Color: true wrote no ANSI styles")
	}
	if got := ownANSI.ReplaceAllString(coloured, ""); got != plain {
		t.Errorf("coloured text minus its SGR styles differs from plain text:\n%s", got)
	}

	for _, want := range []string{
		"Golden path: acme/api]0;pwned\nComponent api (.) · service (catalog) · owner @org/team\n",
		"\nWhat fails (4), most severe first\n  ✗ catalog.owner  Catalog names an owning team  [error]\n",
		"    at catalog-info.yaml:4\n",
		"  ! custom.payments.pci  PCI scope declared  [error, rule error]\n",
		"  ✗ docs.readme  README present  [warning]\n",
		"  ✗ ownership.codeowners  CODEOWNERS covers every path  [info]\n",
		"    at weird\\nname<script>.md:7\n",
		// Code from a remediation is indented, its fences dropped.
		"    How to fix:\n      Name the owning team in spec.owner, for example @org/team:\n\n          spec:\n            owner: group:default/payments-team",
		"\nBy aspect\n  ✗ Investment   1 of 2 pass · 1 fail\n",
		"  ✓ Interfaces   1 of 1 pass\n",
		"  ✗ Operations   0 of 1 pass · 1 rule error · 1 exempt\n",
		"  – Measurement  all skipped · 1 not applicable\n",
		"  ! .github/golden-path.yaml:3\n",
		"– ci.present  expired 2024-01-01",
		"acme/api]0;pwned: 2 of 6 golden-path rules pass · score 43.8%\n",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("text lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "```") {
		t.Errorf("text prints a Markdown fence:\n%s", plain)
	}
	// The verdict and the reason for the exit status come last.
	if want := "✗ FAIL: 1 rule fails at error severity: catalog.owner. Exit status 1.\n"; !strings.HasSuffix(plain, want) {
		t.Errorf("text does not end with %q:\n%s", want, plain)
	}

	// Failures come first, most severe first; passing rules only in the aspect lines.
	order := []string{"What fails", "catalog.owner", "custom.payments.pci", "docs.readme", "ownership.codeowners", "By aspect", "Configuration problems", "FAIL:"}
	last := -1
	for _, s := range order {
		i := strings.Index(plain, s)
		if i < last {
			t.Errorf("%q is out of order (want %v)", s, order)
		}
		last = i
	}
	if strings.Contains(plain, "catalog.present") || strings.Contains(plain, "interfaces.api_spec") {
		t.Errorf("a passing rule has a line of its own:\n%s", plain)
	}

	// Remediation is shown for failures only, indented under the rule.
	if n := strings.Count(plain, "How to fix:"); n != 3 {
		t.Errorf("got %d remediations, want 3 (one per failed rule)", n)
	}

	for i, line := range strings.Split(plain, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 && !strings.Contains(line, "owner: group:default") {
			t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
		}
		// Text from the repository never starts a line: a forged "✓ rule" stays
		// indented under the message it came in.
		if strings.HasPrefix(line, "  ✓ security.policy") {
			t.Errorf("line %d forges a rule line: %q", i+1, line)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb\tc", "a\nb\tc"},
		{"\x1b[31mred\x1b[0m", "[31mred[0m"},
		{"csi\u009b2J", "csi2J"},
		{"cr\rlf", "crlf"},
		{"\u202eevil\u2066", "evil"},
		{"bad\xffbyte", "bad\uFFFDbyte"},
		{"日本語 @org/team", "日本語 @org/team"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSONIsTheEvaluation(t *testing.T) {
	ev := hostileEvaluation()
	ev.Results[0].Files = nil
	out := write(t, JSON, Options{}, ev)

	var raw struct {
		Schema  int                          `json:"schema"`
		Results []map[string]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if raw.Schema != 2 {
		t.Errorf("schema = %d, want 2", raw.Schema)
	}
	for _, r := range raw.Results {
		if files := string(r["files"]); !strings.HasPrefix(files, "[") {
			t.Errorf("result %s: files = %s, want an array", r["rule"], files)
		}
	}
	if ev.Results[0].Files != nil {
		t.Error("writing JSON changed the caller's evaluation")
	}

	var back policies.Evaluation
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	want := hostileEvaluation()
	want.Results[0].Files = []policies.FileRef{}
	// JSON carries only UTF-8: an invalid byte comes back as U+FFFD.
	want.Results[4].Message = strings.ReplaceAll(want.Results[4].Message, "\xff", "\uFFFD")
	for _, list := range [][]policies.Result{want.Results, want.Components[0].Results} {
		for i := range list {
			if list[i].Files == nil {
				list[i].Files = []policies.FileRef{}
			}
		}
	}
	wantJSON, _ := json.Marshal(want)
	backJSON, _ := json.Marshal(back)
	if !bytes.Equal(wantJSON, backJSON) {
		t.Errorf("JSON does not round-trip to the evaluation:\n got %s\nwant %s", backJSON, wantJSON)
	}
	for _, key := range []string{`"schema": 2`, `"repository":`, `"component_type":`, `"summary":`, `"applicable": 6`, `"results":`} {
		if !bytes.Contains(out, []byte(key)) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestByAspectKeepsUnknownAspects(t *testing.T) {
	groups := byAspect([]policies.Result{
		{Rule: "b", Aspect: "measurement"}, {Rule: "x", Aspect: "security"}, {Rule: "a", Aspect: "investment"},
	})
	var got []string
	for _, g := range groups {
		got = append(got, g.aspect+":"+g.results[0].Rule)
	}
	if want := "investment:a measurement:b other:x"; strings.Join(got, " ") != want {
		t.Errorf("groups = %v, want %s", got, want)
	}
}

func TestEveryFormatSaysTheEvaluationIsPartial(t *testing.T) {
	reason := "listed 61000 of ? paths: request budget of 200 reached"
	results := []policies.Result{
		{Rule: "docs.readme", Title: "README", Aspect: "adoption", Level: 1, Severity: policies.SeverityWarning, Status: policies.StatusPass, Files: []policies.FileRef{}},
		{Rule: "ownership.codeowners", Title: "CODEOWNERS", Aspect: "adoption", Level: 1, Severity: policies.SeverityError, Status: policies.StatusSkip,
			NotJudged: true, Message: "not judged: the evaluation is partial (" + reason + "), so evidence may be missing", Files: []policies.FileRef{}},
	}
	ev := &policies.Evaluation{Schema: 2, Repository: "acme/mono", ComponentType: "service", Results: results, Summary: policies.Summarize(results), Partial: reason}
	tests := map[string][]string{
		"text":  {"Partial: " + reason, "1 of 1 pass · 1 not judged"},
		"json":  {`"partial": "` + reason + `"`, `"not_judged": true`},
		"sarif": {"partial evaluation: " + reason},
		"junit": {`<property name="partial" value="` + reason + `">`, `<skipped type="not judged" message="not judged: the evaluation is partial`},
	}
	for name, wants := range tests {
		t.Run(name, func(t *testing.T) {
			w, err := ByName(name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, ev); err != nil {
				t.Fatal(err)
			}
			for _, want := range wants {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, buf.String())
				}
			}
		})
	}
}

func TestComponentsAreReportedApart(t *testing.T) {
	ev := monorepoEvaluation()
	text := string(write(t, Text, Options{}, ev))
	for _, want := range []string{
		"2 components; root type: service",
		"  ✗ docs.readme  README present  [warning]\n    in component api (.)\n",
		"  ✗ docs.readme  README present  [warning]\n    in component web[2J<b> (web app/ü#1)\n",
		"Components (2)\n  api (.) · service (catalog) · owner @org/team\n    1 of 3 component rules pass",
		"  web[2J<b> (web app/ü#1) · website (inferred: website (next.config.js) ✓\n  forged) · owner group:web\n    1 of 2 component rules pass",
		"Catalog notes (1)\n  – catalog-info.yaml:9\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	sarifOut := string(write(t, SARIF, Options{}, ev))
	if !strings.Contains(sarifOut, `component web[2J\u003cb\u003e (web app/ü#1): no README`) {
		t.Errorf("SARIF does not name the component of a failure:\n%s", sarifOut)
	}
	junitOut := string(write(t, JUnit, Options{}, ev))
	if !strings.Contains(junitOut, `<testsuite name="acme/api]0;pwned.web[2J&lt;b&gt;.adoption"`) || !strings.Contains(junitOut, `<property name="component_path" value="web app/ü#1"></property>`) {
		t.Errorf("JUnit has no suite per component aspect:\n%s", junitOut)
	}
}
