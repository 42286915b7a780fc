package policies

import (
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
	"github.com/open-policy-agent/opa/v1/types"
)

// underBuiltin is goldenpath.under(paths, dir): the paths of a sorted list that
// lie below the directory dir ("" for the root, else with its trailing slash),
// in the list's order. A component rule of a monorepo looks its files up in the
// repository's indexes with it: the lists are sorted, so a component's paths
// are one run, found by binary search, where a Rego filter would try every
// component's paths and a per-component index would cost every evaluation a
// copy of the repository's.
var underBuiltin = &ast.Builtin{
	Name:        "goldenpath.under",
	Description: "Paths of a sorted list below a directory given with its trailing slash.",
	Decl: types.NewFunction(
		types.Args(
			types.Named("paths", types.NewArray(nil, types.S)).Description("sorted paths"),
			types.Named("dir", types.S).Description(`directory with its trailing slash, "" for the root`),
		),
		types.Named("below", types.NewArray(nil, types.S)).Description("the paths below dir, in order"),
	),
}

// existingBuiltin is goldenpath.existing(set, rels, dir): dir+rel for each rel
// of the array whose path is a key of the object set, in the order given. The
// rules try long lists of conventional names (README spellings, changelog and
// release tooling files) once per component; in Rego each try would build its
// path with concat first.
var existingBuiltin = &ast.Builtin{
	Name:        "goldenpath.existing",
	Description: "The paths dir+rel of the rels that are keys of an object of paths, in order.",
	Decl: types.NewFunction(
		types.Args(
			types.Named("set", types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))).Description("path → anything"),
			types.Named("rels", types.NewArray(nil, types.S)).Description("paths relative to dir"),
			types.Named("dir", types.S).Description(`directory with its trailing slash, "" for the root`),
		),
		types.Named("found", types.NewArray(nil, types.S)).Description("the paths that are keys of set, in the order of rels"),
	),
}

// shortList is the length up to which under filters every element instead of
// searching: a list written by hand in a rule test need not be sorted.
const shortList = 16

// The declaration is registered with OPA's own, so that every compiler and
// evaluator (the engine's, `goldenpath policy test`'s) knows it.
func init() {
	ast.RegisterBuiltin(underBuiltin)
	topdown.RegisterBuiltinFunc(underBuiltin.Name, func(_ topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
		paths, err := builtinArray(ops[0], 1)
		if err != nil {
			return err
		}
		dir, ok := ops[1].Value.(ast.String)
		if !ok {
			return builtins.NewOperandTypeErr(2, ops[1].Value, "string")
		}
		return iter(ast.NewTerm(pathsUnder(paths, string(dir))))
	})
	ast.RegisterBuiltin(existingBuiltin)
	topdown.RegisterBuiltinFunc(existingBuiltin.Name, func(_ topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
		set, ok := ops[0].Value.(ast.Object)
		if !ok {
			return builtins.NewOperandTypeErr(1, ops[0].Value, "object")
		}
		rels, err := builtinArray(ops[1], 2)
		if err != nil {
			return err
		}
		dir, ok := ops[2].Value.(ast.String)
		if !ok {
			return builtins.NewOperandTypeErr(3, ops[2].Value, "string")
		}
		var found []*ast.Term
		for i := range rels.Len() {
			rel, ok := rels.Elem(i).Value.(ast.String)
			if !ok {
				return builtins.NewOperandElementErr(2, rels, rels.Elem(i).Value, "string")
			}
			p := rels.Elem(i)
			if dir != "" {
				p = ast.StringTerm(string(dir) + string(rel))
			}
			if set.Get(p) != nil {
				found = append(found, p)
			}
		}
		return iter(ast.NewTerm(ast.NewArray(found...)))
	})
}

func builtinArray(t *ast.Term, pos int) (*ast.Array, error) {
	a, ok := t.Value.(*ast.Array)
	if !ok {
		return nil, builtins.NewOperandTypeErr(pos, t.Value, "array")
	}
	return a, nil
}

func pathsUnder(paths *ast.Array, dir string) *ast.Array {
	if dir == "" {
		return paths
	}
	below := func(t *ast.Term) bool {
		s, ok := t.Value.(ast.String)
		return ok && strings.HasPrefix(string(s), dir)
	}
	if paths.Len() <= shortList {
		var out []*ast.Term
		for i := range paths.Len() {
			if t := paths.Elem(i); below(t) {
				out = append(out, t)
			}
		}
		return ast.NewArray(out...)
	}
	lo := sort.Search(paths.Len(), func(i int) bool {
		s, _ := paths.Elem(i).Value.(ast.String)
		return string(s) >= dir
	})
	end := lo
	for end < paths.Len() && below(paths.Elem(end)) {
		end++
	}
	if lo == 0 && end == paths.Len() {
		return paths
	}
	return paths.Slice(lo, end)
}
