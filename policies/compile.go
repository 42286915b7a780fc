package policies

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// removedBuiltins are taken out of the sandbox: they reach the network or the host,
// make outcomes depend on time or chance, or build unbounded values in one call
// (numbers.range(1, 1e12) would exhaust memory before any deadline could stop it).
var removedBuiltins = []string{
	"http.send", "net.lookup_ip_addr", "opa.runtime", "rand.intn", "uuid.rfc4122",
	"time.now_ns", "trace", "io.jwt.encode_sign", "io.jwt.encode_sign_raw",
	"numbers.range", "numbers.range_step", "net.cidr_expand",
}

// Capabilities are the sandbox every module is compiled in. They must be set on the
// compiler itself: OPA ignores rego.Capabilities when a compiler is passed in.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(caps.Builtins, func(b *ast.Builtin) bool {
		return slices.Contains(removedBuiltins, b.Name)
	})
	caps.AllowNet = []string{} // nil would mean every host
	return caps
}

// NewCompiler returns a compiler restricted to the sandbox.
func NewCompiler() *ast.Compiler {
	return ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(false)
}

type moduleSet struct {
	modules map[string]*ast.Module
	sources map[string]string
	custom  map[string]bool
}

// parseModules parses bundled and custom sources. A custom module that does not parse
// or sits outside goldenpath.custom.* is dropped with a Problem; a bundled module that
// does not parse is an error.
func parseModules(bundled, custom map[string]string, withTests bool) (*moduleSet, []Problem, error) {
	s := &moduleSet{modules: map[string]*ast.Module{}, sources: map[string]string{}, custom: map[string]bool{}}
	var problems []Problem
	var bundledErr error
	add := func(name, src string, isCustom bool) {
		if !withTests && strings.HasSuffix(name, "_test.rego") {
			return
		}
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil && !isCustom {
			bundledErr = errors.Join(bundledErr, err)
			return
		}
		if err != nil {
			problems = append(problems, astProblems(name, err)...)
			return
		}
		if isCustom {
			pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
			if !strings.HasPrefix(pkg, customPrefix) || len(pkg) == len(customPrefix) {
				problems = append(problems, Problem{Source: name, Line: m.Package.Location.Row,
					Message: fmt.Sprintf("package %s is not allowed: custom rules must be in a package under %s", pkg, customPrefix)})
				return
			}
		}
		s.modules[name], s.sources[name], s.custom[name] = m, src, isCustom
	}
	for _, name := range sortedKeys(bundled) {
		add(name, bundled[name], false)
	}
	for _, name := range sortedKeys(custom) {
		add(name, custom[name], true)
	}
	if bundledErr != nil {
		return nil, nil, fmt.Errorf("parse bundled rules: %w", bundledErr)
	}
	return s, problems, nil
}

// compileModules compiles the set in the sandbox. Custom modules with errors are
// removed and reported, and the rest compiled again, so one broken custom rule never
// stops the others. An error in a bundled module is returned.
func compileModules(s *moduleSet) (*ast.Compiler, []Problem, error) {
	var problems []Problem
	for {
		c := NewCompiler()
		if c.Compile(s.modules); !c.Failed() {
			return c, problems, nil
		}
		bad := map[string]bool{}
		for _, e := range c.Errors {
			file := ""
			if e.Location != nil {
				file = e.Location.File
			}
			if !s.custom[file] {
				return nil, nil, fmt.Errorf("compile bundled rules: %w", c.Errors)
			}
			if !bad[file] {
				problems = append(problems, astProblems(file, ast.Errors{e})...)
			}
			bad[file] = true
		}
		for f := range bad {
			delete(s.modules, f)
			delete(s.sources, f)
		}
	}
}

func astProblems(file string, err error) []Problem {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return []Problem{{Source: file, Message: err.Error()}}
	}
	out := make([]Problem, 0, len(errs))
	for _, e := range errs {
		p := Problem{Source: file, Message: e.Message}
		if e.Location != nil {
			p.Line = e.Location.Row
		}
		if strings.Contains(e.Message, "undefined function") {
			p.Message += " (not available in the golden-path sandbox)"
		}
		out = append(out, p)
	}
	return out
}

// componentIndexKeys are the indexes input.component holds for custom rules.
var componentIndexKeys = []string{"path_set", "names", "exts", "dir_names"}

// libComponent is the library's name for input.component.
var libComponent = ast.MustParseRef("data.goldenpath.lib.component")

// readsComponentIndexes reports whether a compiled custom module may read
// input.component's indexes. The bundled rules look in the repository's, so
// the engine builds a component's only for a custom rule that reads them;
// building them costs a monorepo a copy of the repository's indexes on every
// evaluation. A reference it cannot follow (the whole input or component, a
// variable key) counts as reading them.
func readsComponentIndexes(m *ast.Module) bool {
	found := false
	ast.WalkRefs(m, func(r ast.Ref) bool {
		found = found || refReadsComponentIndexes(r)
		return found
	})
	return found
}

func refReadsComponentIndexes(r ast.Ref) bool {
	var rest ast.Ref // what follows the component
	switch {
	case r[0].Equal(ast.InputRootDocument):
		if len(r) == 1 {
			return true // the whole input
		}
		if key, isString := termString(r, 1); key != "component" {
			return !isString // input[x] may be the component
		}
		rest = r[2:]
	case r[0].Equal(ast.DefaultRootDocument):
		n := min(len(r), len(libComponent))
		for i := 1; i < n; i++ {
			if _, isString := termString(r, i); !isString {
				return true // data[x] may be the library's component
			}
		}
		if !r[:n].Equal(libComponent[:n]) {
			return false
		}
		if len(r) < len(libComponent) {
			return true // data.goldenpath.lib as a whole holds the component
		}
		rest = r[len(libComponent):]
	default:
		return false
	}
	if len(rest) == 0 {
		return true
	}
	key, isString := termString(rest, 0)
	return !isString || slices.Contains(componentIndexKeys, key)
}

func termString(r ast.Ref, i int) (string, bool) {
	s, ok := r[i].Value.(ast.String)
	return string(s), ok
}
