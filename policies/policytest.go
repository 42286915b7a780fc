package policies

import (
	"context"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is one Rego unit test (a `test_` rule).
type TestResult struct {
	Package  string
	Name     string
	File     string
	Line     int
	Pass     bool
	Skip     bool
	Error    string
	Duration time.Duration
}

// RunTests runs the `test_` rules of the bundled modules and the given custom ones in
// the same sandbox as evaluation, so a test cannot pass on a builtin that production
// would reject. Custom modules that are rejected come back as problems.
func RunTests(ctx context.Context, custom map[string]string) ([]TestResult, []Problem, error) {
	bundled, err := BundledModules(true)
	if err != nil {
		return nil, nil, err
	}
	set, problems, err := parseModules(bundled, custom, true)
	if err != nil {
		return nil, nil, err
	}
	// Compile once to drop custom modules that do not compile; the tester compiles
	// the survivors again with its own fresh sandboxed compiler.
	_, compileProblems, err := compileModules(set)
	if err != nil {
		return nil, nil, err
	}
	problems = append(problems, compileProblems...)
	ch, err := tester.NewRunner().
		SetCompiler(NewCompiler()).
		SetModules(set.modules).
		RaiseBuiltinErrors(true).
		SetTimeout(30*time.Second).
		RunTests(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("run rule tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Pass: r.Pass(), Skip: r.Skip, Duration: r.Duration}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		if r.Error != nil {
			tr.Error = r.Error.Error()
		}
		out = append(out, tr)
	}
	return out, problems, nil
}
