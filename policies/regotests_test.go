package policies

import "testing"

// The bundled rules' Rego unit tests (the test_ rules beside each rule) run
// with the Go tests, in the evaluation sandbox, so CI fails when one does.
func TestBundledRegoTests(t *testing.T) {
	results, problems, err := RunTests(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s:%d: %s", p.Source, p.Line, p.Message)
	}
	if len(results) == 0 {
		t.Fatal("no Rego tests ran")
	}
	for _, r := range results {
		if !r.Pass && !r.Skip {
			t.Errorf("%s.%s (%s:%d) failed: %s", r.Package, r.Name, r.File, r.Line, r.Error)
		}
	}
}
