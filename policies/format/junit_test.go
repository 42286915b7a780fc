package format

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
)

var cdata = regexp.MustCompile(`(?s)<!\[CDATA\[.*?\]\]>`)

// TestJUnitMatchesJenkinsSchema validates every evaluation the tests know, at
// every --fail-on, against the Jenkins xunit plugin's junit-10.xsd; with
// xmllint on the PATH, xmllint checks it too.
func TestJUnitMatchesJenkinsSchema(t *testing.T) {
	schema := loadXSD(t, "testdata/schemas/junit-10.xsd")
	xmllint, _ := exec.LookPath("xmllint")
	for name, ev := range map[string]*policies.Evaluation{
		"hostile": hostileEvaluation(), "components": monorepoEvaluation(), "empty": emptyEvaluation(),
	} {
		for _, failOn := range policies.Severities {
			out := write(t, JUnit, Options{FailOn: failOn}, ev)
			errs, err := schema.validate(out)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, e := range errs {
				t.Errorf("%s --fail-on %s: %s", name, failOn, e)
			}
			if xmllint != "" {
				file := filepath.Join(t.TempDir(), "report.xml")
				if err := os.WriteFile(file, out, 0o644); err != nil {
					t.Fatal(err)
				}
				if msg, err := exec.Command(xmllint, "--noout", "--schema", "testdata/schemas/junit-10.xsd", file).CombinedOutput(); err != nil {
					t.Errorf("%s --fail-on %s: xmllint: %v\n%s", name, failOn, err, msg)
				}
			}
		}
	}
}

func TestJUnit(t *testing.T) {
	ev := hostileEvaluation()
	out := write(t, JUnit, Options{}, ev)

	// Outside CDATA sections (which encoding/xml writes safely) no markup from the
	// repository may appear, and no escape sequence anywhere.
	if markup := cdata.ReplaceAll(out, nil); bytes.Contains(markup, []byte("<script>")) || bytes.Contains(out, []byte("\x1b")) {
		t.Errorf("markup or escapes leaked into the XML:\n%s", out)
	}
	var got junitTestsuites
	if err := xml.Unmarshal(out, &got); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, out)
	}

	var names []string
	for _, s := range got.Suites {
		names = append(names, s.Name)
		failures, skipped := 0, 0
		for _, c := range s.Cases {
			if c.Classname != s.Name {
				t.Errorf("testcase %s has classname %q, want its suite %q", c.Name, c.Classname, s.Name)
			}
			if c.Failure != nil {
				failures++
			}
			if c.Skipped != nil {
				skipped++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != failures || s.Errors != 0 || s.Skipped != skipped {
			t.Errorf("suite %s counts tests=%d failures=%d errors=%d skipped=%d; cases say %d/%d/0/%d",
				s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), failures, skipped)
		}
	}
	// The repository leads every class name, so merged reports stay apart.
	repo := "acme/api]0;pwned"
	var want []string
	for _, a := range []string{"investment", "adoption", "interfaces", "operations", "measurement", "configuration"} {
		want = append(want, repo+"."+a)
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("suites %v, want %v", names, want)
	}

	cases := map[string]junitCase{}
	for _, s := range got.Suites {
		for _, c := range s.Cases {
			cases[c.Name] = c
		}
	}
	owner := cases["catalog.owner"]
	if owner.Failure == nil || owner.Failure.Type != "error" ||
		!strings.Contains(owner.Failure.Text, "at catalog-info.yaml:4") ||
		!strings.Contains(owner.Failure.Text, "How to fix:") ||
		!strings.Contains(owner.Failure.Text, "owner: group:default/payments-team") {
		t.Fatalf("catalog.owner failure = %+v", owner.Failure)
	}
	if strings.Contains(owner.Failure.Message, "\n") {
		t.Errorf("failure message attribute spans lines: %q", owner.Failure.Message)
	}
	// A warning that fails is not a <failure> at the default --fail-on error, but
	// its text survives, markup included, as text.
	if readme := cases["docs.readme"]; readme.Failure != nil || readme.Skipped == nil || readme.Skipped.Type != "warning" ||
		readme.Skipped.Message != "fails at warning, below --fail-on error: no README <script>alert(1)</script> & no docs/ ]]> <![CDATA[" ||
		!strings.Contains(readme.Skipped.Text, "How to fix:") {
		t.Errorf("docs.readme = %+v", readme)
	}
	if c := cases["custom.payments.pci"]; c.Skipped == nil || c.Skipped.Type != "rule error" || c.Failure != nil {
		t.Errorf("errored rule = %+v, want <skipped type=\"rule error\">", c)
	}
	if c := cases["iac.present"]; c.Skipped == nil || c.Skipped.Type != "exempt" || c.Skipped.Message != "exempt: Decommissioned in Q3" {
		t.Errorf("exempt rule = %+v", c.Skipped)
	}
	if c := cases["measurement.slo"]; c.Skipped == nil || c.Skipped.Type != "not applicable" {
		t.Errorf("rule that does not apply = %+v", c.Skipped)
	}
	if c := cases[".github/golden-path.yaml:3"]; c.Skipped == nil || c.Skipped.Type != "configuration problem" || c.Classname != repo+".configuration" {
		t.Errorf("configuration problem = %+v", c)
	}
	if c := cases["catalog.present"]; c.Failure != nil || c.Skipped != nil {
		t.Errorf("passing rule = %+v", c)
	}
}

// TestJUnitFailuresAgreeWithTheExitStatus: a testcase is a <failure> exactly
// when its rule fails at --fail-on or above, which is what exits 1.
func TestJUnitFailuresAgreeWithTheExitStatus(t *testing.T) {
	tests := []struct {
		failOn policies.Severity
		want   string // failing rules, in report order
	}{
		{"", "catalog.owner"},
		{policies.SeverityError, "catalog.owner"},
		{policies.SeverityWarning, "catalog.owner docs.readme"},
		{policies.SeverityInfo, "catalog.owner docs.readme ownership.codeowners"},
	}
	for _, tt := range tests {
		ev := hostileEvaluation()
		var got junitTestsuites
		if err := xml.Unmarshal(write(t, JUnit, Options{FailOn: tt.failOn}, ev), &got); err != nil {
			t.Fatal(err)
		}
		var failing []string
		for _, s := range got.Suites {
			for _, c := range s.Cases {
				if c.Failure != nil {
					failing = append(failing, c.Name)
				}
			}
		}
		if strings.Join(failing, " ") != tt.want || got.Failures != len(failing) || got.Errors != 0 {
			t.Errorf("--fail-on %q: failures %v (total %d, errors %d), want %s", tt.failOn, failing, got.Failures, got.Errors, tt.want)
		}
		min := tt.failOn
		if min == "" {
			min = policies.SeverityError
		}
		if exit1 := len(ev.FailingAt(min)) > 0; exit1 != (got.Failures > 0) {
			t.Errorf("--fail-on %q: %d failures in the report but FailingAt says exit 1 = %v", tt.failOn, got.Failures, exit1)
		}
	}
}
