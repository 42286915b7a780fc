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

// The documents of the input that are built only for a custom rule that may
// read them (see readsAny): maps of every path, of every directory, and a
// copy of the repository's indexes for each component. The bundled rules find
// what they need with the engine's builtins instead, which answer from the
// sorted listing.
var (
	pathSetDocs = refs("input.path_set", "data.goldenpath.lib.all_paths")
	dirsDocs    = refs("input.dirs", "data.goldenpath.lib.all_dirs")
	// input.component, as the library names it too.
	componentIndexDocs = refs(
		"input.component.path_set", "input.component.names", "input.component.exts", "input.component.dir_names",
		"data.goldenpath.lib.component.path_set", "data.goldenpath.lib.component.names",
		"data.goldenpath.lib.component.exts", "data.goldenpath.lib.component.dir_names",
	)
)

func refs(s ...string) []ast.Ref {
	out := make([]ast.Ref, len(s))
	for i, r := range s {
		out[i] = ast.MustParseRef(r)
	}
	return out
}

// readsAny reports whether a compiled module may read one of the documents.
// A reference it cannot follow counts: one that names a document's parent as
// a whole (input, input.component, data.goldenpath.lib), or that picks a key
// on the way with a variable (input[k]).
func readsAny(m *ast.Module, docs []ast.Ref) bool {
	found := false
	ast.WalkRefs(m, func(r ast.Ref) bool {
		for _, d := range docs {
			found = found || mayRead(r, d)
		}
		return found
	})
	return found
}

func mayRead(r, doc ast.Ref) bool {
	if !r[0].Equal(doc[0]) {
		return false
	}
	for i := 1; i < min(len(r), len(doc)); i++ {
		if _, isString := r[i].Value.(ast.String); !isString {
			return true
		}
		if !r[i].Equal(doc[i]) {
			return false
		}
	}
	return true
}
