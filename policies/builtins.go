package policies

import (
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
	"github.com/open-policy-agent/opa/v1/types"
)

// The engine's own builtins serve the lookups of rules that run once per
// component of a monorepo. In Rego, each name a rule tries and each path it
// keeps costs a few expressions, and the rules try dozens of conventional names
// for every component; here they cost a map lookup and a binary search.

// lookupBuiltin is goldenpath.lookup(index, keys, dir, skip): for each key in
// turn, the paths of index[key] (a sorted list of repository paths: input.names,
// exts and dir_names are) below the directory dir ("" for the root, else with
// its trailing slash), leaving out a path with a directory below dir whose
// lower-case name is in skip or holds a template placeholder ("{{"). The paths
// below a directory are one run of a sorted list, found by binary search.
var lookupBuiltin = &ast.Builtin{
	Name:        "goldenpath.lookup",
	Description: "The paths of an index's lists for some keys, below a directory, outside some trees.",
	Decl: types.NewFunction(
		types.Args(
			types.Named("index", types.NewObject(nil, types.NewDynamicProperty(types.A, types.A))).Description("key → sorted paths"),
			types.Named("keys", types.NewAny(types.NewArray(nil, types.A), types.NewSet(types.A))).Description("the keys, in the order the paths come back"),
			types.Named("dir", types.S).Description(`directory with its trailing slash, "" for the root`),
			types.Named("skip", types.NewSet(types.S)).Description("lower-case names of directories whose trees are left out"),
		),
		types.Named("paths", types.NewArray(nil, types.S)).Description("the paths, key by key, each key's in the list's order"),
	),
}

// existingBuiltin is goldenpath.existing(set, rels, dir): dir+rel for each rel
// whose path is a key of the object set (input.path_set), in the order given.
var existingBuiltin = &ast.Builtin{
	Name:        "goldenpath.existing",
	Description: "The paths dir+rel of the rels that are keys of an object of paths, in order.",
	Decl: types.NewFunction(
		types.Args(
			types.Named("set", types.NewObject(nil, types.NewDynamicProperty(types.A, types.A))).Description("path → anything"),
			types.Named("rels", types.NewArray(nil, types.S)).Description("paths relative to dir"),
			types.Named("dir", types.S).Description(`directory with its trailing slash, "" for the root`),
		),
		types.Named("found", types.NewArray(nil, types.S)).Description("the paths that are keys of set, in the order of rels"),
	),
}

// shortList is the length up to which a list is filtered whole instead of
// searched: a list written by hand in a rule test need not be sorted.
const shortList = 16

// The declarations are registered with OPA's own, so that every compiler and
// evaluator (the engine's, `goldenpath policy test`'s) knows them.
func init() {
	ast.RegisterBuiltin(lookupBuiltin)
	topdown.RegisterBuiltinFunc(lookupBuiltin.Name, builtinLookup)
	ast.RegisterBuiltin(existingBuiltin)
	topdown.RegisterBuiltinFunc(existingBuiltin.Name, builtinExisting)
}

func builtinLookup(_ topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
	index, err := operand[ast.Object](ops, 1, "object")
	if err != nil {
		return err
	}
	var keys *ast.Array
	switch k := ops[1].Value.(type) {
	case *ast.Array:
		keys = k
	case ast.Set:
		keys = k.Sorted()
	default:
		return builtins.NewOperandTypeErr(2, ops[1].Value, "array", "set")
	}
	dir, err := operand[ast.String](ops, 3, "string")
	if err != nil {
		return err
	}
	skip, err := operand[ast.Set](ops, 4, "set")
	if err != nil {
		return err
	}
	var out []*ast.Term
	for i := range keys.Len() {
		list := index.Get(keys.Elem(i))
		if list == nil {
			continue
		}
		paths, ok := list.Value.(*ast.Array)
		if !ok {
			return builtins.NewOperandElementErr(1, index, list.Value, "array")
		}
		for _, p := range runBelow(paths, string(dir)) {
			s, ok := p.Value.(ast.String)
			if !ok {
				return builtins.NewOperandElementErr(1, index, p.Value, "string")
			}
			if !skipped(string(s)[len(dir):], skip) {
				out = append(out, p)
			}
		}
	}
	return iter(ast.NewTerm(ast.NewArray(out...)))
}

// runBelow is the elements of a sorted list of paths that start with dir; a short
// list is filtered whole.
func runBelow(paths *ast.Array, dir string) []*ast.Term {
	prefixed := func(i int) bool {
		s, ok := paths.Elem(i).Value.(ast.String)
		return !ok || strings.HasPrefix(string(s), dir) // not a string: let the caller say so
	}
	if dir == "" || paths.Len() <= shortList {
		var out []*ast.Term
		for i := range paths.Len() {
			if dir == "" || prefixed(i) {
				out = append(out, paths.Elem(i))
			}
		}
		return out
	}
	start := sort.Search(paths.Len(), func(i int) bool {
		s, _ := paths.Elem(i).Value.(ast.String)
		return string(s) >= dir
	})
	end := start
	for end < paths.Len() && prefixed(end) {
		end++
	}
	out := make([]*ast.Term, end-start)
	for i := range out {
		out[i] = paths.Elem(start + i)
	}
	return out
}

// skipped reports whether a path (below the directory looked in) has a
// directory named in skip, or named with a template placeholder.
func skipped(rel string, skip ast.Set) bool {
	for {
		i := strings.IndexByte(rel, '/')
		if i < 0 {
			return false
		}
		d := rel[:i]
		if strings.Contains(d, "{{") || (skip.Len() > 0 && skip.Contains(ast.StringTerm(strings.ToLower(d)))) {
			return true
		}
		rel = rel[i+1:]
	}
}

// listing is what goldenpath.existing answers from when it is handed the
// evaluation's own input.path_set or input.dirs: the sorted listing, searched,
// rather than maps of every path and directory, which the engine fills in only
// for a custom rule that reads them.
type listing struct {
	ix            *pathIndex
	pathSet, dirs ast.Object
}

// listingKey is the context key of an evaluation's listing.
type listingKey struct{}

func builtinExisting(bctx topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
	set, err := operand[ast.Object](ops, 1, "object")
	if err != nil {
		return err
	}
	has := func(p string) bool { return set.Get(ast.StringTerm(p)) != nil }
	if l, _ := bctx.Context.Value(listingKey{}).(*listing); l != nil {
		switch set {
		case l.pathSet:
			has = l.ix.hasFile
		case l.dirs:
			has = l.ix.hasDir
		}
	}
	rels, err := operand[*ast.Array](ops, 2, "array")
	if err != nil {
		return err
	}
	dir, err := operand[ast.String](ops, 3, "string")
	if err != nil {
		return err
	}
	var found []*ast.Term
	for i := range rels.Len() {
		rel, ok := rels.Elem(i).Value.(ast.String)
		if !ok {
			return builtins.NewOperandElementErr(2, rels, rels.Elem(i).Value, "string")
		}
		if p := string(dir) + string(rel); has(p) {
			found = append(found, ast.StringTerm(p))
		}
	}
	return iter(ast.NewTerm(ast.NewArray(found...)))
}

// operand is the builtin's operand at pos (1-based) as a T, or the operand
// type error OPA reports.
func operand[T ast.Value](ops []*ast.Term, pos int, want string) (T, error) {
	v, ok := ops[pos-1].Value.(T)
	if !ok {
		return v, builtins.NewOperandTypeErr(pos, ops[pos-1].Value, want)
	}
	return v, nil
}
