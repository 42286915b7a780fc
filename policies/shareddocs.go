package policies

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// A monorepo's component rules run once per component, and much of what they
// work out does not depend on the component: constant lists and patterns, the
// library's sets of directory names, the catalog's entities, the CODEOWNERS
// rules. sharedDocs names the rule documents whose value cannot depend on
// input.component or input.component_type, so that one worker of an
// evaluation works each out once and every later unit it judges reuses it.

// sharedDocs finds the shared documents' slots by the last part of their
// path: a lookup happens on every reference to a document or function, and
// most are to neither, so most end with one map lookup.
type sharedDocs struct {
	byLast map[string][]sharedDoc
	count  int
}

type sharedDoc struct {
	path ast.Ref
	slot int
}

// findSharedDocs works the shared documents out from the compiled modules. A
// rule depends on the component when it, or a rule or function it refers to,
// reads input.component or input.component_type, reads the input in a way
// that may reach them (the whole input, input[x]), or uses `with` (which
// evaluates other documents under other values). A document is shared when
// none of the rules that define it depends on the component.
func findSharedDocs(c *ast.Compiler) *sharedDocs {
	memo := map[*ast.Rule]bool{}
	var depends func(r *ast.Rule) bool
	depends = func(r *ast.Rule) bool {
		if d, ok := memo[r]; ok {
			return d
		}
		memo[r] = true // a cycle cannot compile; be safe if one did
		d := readsComponent(r)
		for dep := range c.Graph.Dependencies(r) {
			if dr, ok := dep.(*ast.Rule); ok && !d {
				d = depends(dr)
			}
		}
		memo[r] = d
		return d
	}
	byPath := map[string]bool{} // path → shared so far
	paths := map[string]ast.Ref{}
	for _, m := range c.Modules {
		for _, r := range m.Rules {
			if len(r.Head.Args) > 0 || !r.Head.Ref().IsGround() {
				continue // functions are not cached by document; nor are documents built by key
			}
			path := r.Ref() // ground: checked above
			k := path.String()
			paths[k] = path
			shared, seen := byPath[k]
			if !seen {
				shared = true
			}
			for x := r; x != nil && shared; x = x.Else {
				shared = !depends(x)
			}
			byPath[k] = shared
		}
	}
	docs := &sharedDocs{byLast: map[string][]sharedDoc{}}
	for k, shared := range byPath {
		if !shared {
			continue
		}
		path := paths[k]
		last := string(path[len(path)-1].Value.(ast.String))
		docs.byLast[last] = append(docs.byLast[last], sharedDoc{path: path, slot: docs.count})
		docs.count++
	}
	return docs
}

// readsComponent reports whether a rule itself (not the rules it refers to)
// reads what differs from one unit of an evaluation to the next.
func readsComponent(r *ast.Rule) bool {
	found := false
	ast.WalkRefs(r, func(ref ast.Ref) bool {
		if found || !ref[0].Equal(ast.InputRootDocument) {
			return found
		}
		if len(ref) == 1 {
			found = true
			return true
		}
		key, isString := ref[1].Value.(ast.String)
		found = !isString || key == "component" || key == "component_type"
		return found
	})
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		found = found || len(e.With) > 0
		return found
	})
	return found
}

// find finds a document's slot, -1 when it is not shared.
func (s *sharedDocs) find(ref ast.Ref) int {
	if len(ref) == 0 {
		return -1
	}
	last, ok := ref[len(ref)-1].Value.(ast.String)
	if !ok {
		return -1
	}
	for _, d := range s.byLast[string(last)] {
		if len(d.path) == len(ref) && d.path.Equal(ref) {
			return d.slot
		}
	}
	return -1
}

// sharedValue is a shared document's value in one worker: unknown until set,
// then a value or undefined (nil).
type sharedValue struct {
	set   bool
	value *ast.Term
}

// unitCache is the virtual document cache of one query evaluation: OPA's own,
// in front of which the worker's shared documents are looked up and kept.
// Under `with` (a pushed frame) everything goes to OPA's cache, which keeps
// such values apart.
type unitCache struct {
	topdown.VirtualCache
	docs   *sharedDocs
	values []sharedValue
	depth  int
}

func newUnitCache(docs *sharedDocs, values []sharedValue) *unitCache {
	return &unitCache{VirtualCache: topdown.NewVirtualCache(), docs: docs, values: values}
}

func (c *unitCache) Push() { c.depth++; c.VirtualCache.Push() }

func (c *unitCache) Pop() { c.depth--; c.VirtualCache.Pop() }

func (c *unitCache) Get(ref ast.Ref) (*ast.Term, bool) {
	if c.depth == 0 {
		if i := c.docs.find(ref); i >= 0 {
			v := c.values[i]
			return v.value, v.set && v.value == nil
		}
	}
	return c.VirtualCache.Get(ref)
}

func (c *unitCache) Put(ref ast.Ref, value *ast.Term) {
	if c.depth == 0 {
		if i := c.docs.find(ref); i >= 0 {
			c.values[i] = sharedValue{set: true, value: value}
			return
		}
	}
	c.VirtualCache.Put(ref, value)
}
