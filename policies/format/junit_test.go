package format

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
)

var cdata = regexp.MustCompile(`(?s)<!\[CDATA\[.*?\]\]>`)

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
		failures, errs, skipped := 0, 0, 0
		for _, c := range s.Cases {
			if c.Classname != s.Name {
				t.Errorf("testcase %s has classname %q, want its suite %q", c.Name, c.Classname, s.Name)
			}
			if c.Failure != nil {
				failures++
			}
			if c.Error != nil {
				errs++
			}
			if c.Skipped != nil {
				skipped++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != failures || s.Errors != errs || s.Skipped != skipped {
			t.Errorf("suite %s counts tests=%d failures=%d errors=%d skipped=%d; cases say %d/%d/%d/%d",
				s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), failures, errs, skipped)
		}
	}
	if want := "investment adoption interfaces operations measurement problems"; strings.Join(names, " ") != want {
		t.Errorf("suites %v, want %s", names, want)
	}
	if got.Tests != 10 || got.Failures != 3 || got.Errors != 3 || got.Skipped != 2 {
		t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d, want 10/3/3/2", got.Tests, got.Failures, got.Errors, got.Skipped)
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
		t.Errorf("catalog.owner failure = %+v", owner.Failure)
	}
	if strings.Contains(owner.Failure.Message, "\n") {
		t.Errorf("failure message attribute spans lines: %q", owner.Failure.Message)
	}
	if readme := cases["docs.readme"]; readme.Failure == nil || readme.Failure.Message != "no README <script>alert(1)</script> & no docs/ ]]> <![CDATA[" ||
		!strings.HasPrefix(readme.Failure.Text, readme.Failure.Message+"\n") {
		t.Errorf("docs.readme failure = %+v; markup must round-trip as text", readme.Failure)
	}
	if c := cases["custom.payments.pci"]; c.Error == nil || c.Failure != nil {
		t.Errorf("errored rule = %+v, want <error>", c)
	}
	if c := cases["iac.present"]; c.Skipped == nil || c.Skipped.Message != "exempt: Decommissioned in Q3" {
		t.Errorf("exempt rule = %+v", c)
	}
	if c := cases[".github/golden-path.yaml:3"]; c.Error == nil || c.Classname != "problems" {
		t.Errorf("configuration problem = %+v", c)
	}
	if c := cases["catalog.present"]; c.Failure != nil || c.Error != nil || c.Skipped != nil {
		t.Errorf("passing rule = %+v", c)
	}
}
