package policies

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
)

// testConventionsRef is the table of test-file names of the bundled rule
// measurement.tests: [extension, suffixes, base-name prefixes] rows.
const testConventionsRef = "data.goldenpath.rules.measurement.tests.by_ext"

// testConvention is one row of that table.
type testConvention struct {
	ext      string
	suffixes []string
	prefixes []string
}

// loadTestConventions reads the table from the compiled rules, so that it is
// written once, in Rego. Without the table (the rule is not compiled in) there
// is nothing to work out and input.test_files is absent.
func loadTestConventions(ctx context.Context, c *ast.Compiler, store storage.Store) ([]testConvention, error) {
	rs, err := rego.New(rego.Compiler(c), rego.Store(store), rego.Query("x := "+testConventionsRef)).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", testConventionsRef, err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	rows, _ := rs[0].Bindings["x"].([]any)
	var out []testConvention
	for _, r := range rows {
		row, _ := r.([]any)
		ext, _ := elem(row, 0).(string)
		suffixes, err1 := stringList(elem(row, 1))
		prefixes, err2 := stringList(elem(row, 2))
		if len(row) != 3 || ext == "" || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: row %v is not [extension, suffixes, prefixes]", testConventionsRef, r)
		}
		out = append(out, testConvention{ext: ext, suffixes: suffixes, prefixes: prefixes})
	}
	return out, nil
}

func elem(row []any, i int) any {
	if i < len(row) {
		return row[i]
	}
	return nil
}

// testFiles is every path whose name follows one of the conventions, sorted:
// input.test_files; nil without conventions. The rule would otherwise try every path of each extension
// (tens of thousands of .go or .js files in a large repository) in Rego.
func (ix *pathIndex) testFiles(conventions []testConvention) []string {
	if conventions == nil {
		return nil
	}
	out, exts := []string{}, ix.extsMap()
	for _, c := range conventions {
		ps, _ := exts[c.ext].([]string)
		for _, p := range ps {
			if c.matches(p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// matches is the rule's test: the path ends with a suffix, or it or its base
// name starts with a prefix.
func (c testConvention) matches(p string) bool {
	for _, s := range c.suffixes {
		if strings.HasSuffix(p, s) {
			return true
		}
	}
	base := p[strings.LastIndexByte(p, '/')+1:]
	for _, pre := range c.prefixes {
		if strings.HasPrefix(p, pre) || strings.HasPrefix(base, pre) {
			return true
		}
	}
	return false
}
