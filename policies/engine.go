package policies

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
	"golang.org/x/sync/errgroup"
)

//go:embed rules/*.rego
var bundledFS embed.FS

// Limits bound what one evaluation may cost; repositories and custom rules are
// untrusted.
type Limits struct {
	MaxFileBytes int64         // bytes read per file
	MaxFiles     int           // files read per evaluation
	RuleTimeout  time.Duration // time per rule
	EvalTimeout  time.Duration // time per evaluation
}

// DefaultLimits are the limits documented in policies/README.md.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 1 << 20, MaxFiles: 500, RuleTimeout: 2 * time.Second, EvalTimeout: 10 * time.Second}
}

// Options configure an engine.
type Options struct {
	// Custom holds custom rule modules by file name. Modules that are rejected or do
	// not compile are reported by Problems; the others are used.
	Custom map[string]string
	Limits Limits
}

// Engine evaluates the compiled rules. It is safe for concurrent use: the prepared
// queries are shared, each evaluation builds its own input.
type Engine struct {
	store    storage.Store
	rules    []*compiledRule
	problems []Problem
	limits   Limits
	reads    []string
	digest   string
	types    []string          // component types some rule or the engine knows, sorted
	batches  map[string]*batch // by scope
	tests    []testConvention  // test-file names, for input.test_files
	shared   *sharedDocs       // the documents the units of an evaluation share
	needs    inputNeeds        // what only custom rules read
}

type compiledRule struct {
	Rule
	query   rego.PreparedEvalQuery
	denySet bool // deny is a partial set, so always defined
}

// outcomeQuery collects a rule package's deny, skip and pass_message, bound to
// prefix+"deny", prefix+"skip" and prefix+"pass". A deny that is a partial set
// is taken as it is; any other is collected, since it may be undefined.
func outcomeQuery(pkg, prefix string, denySet bool) string {
	deny := fmt.Sprintf(`[d | some d in data.%s.deny]`, pkg)
	if denySet {
		deny = fmt.Sprintf(`data.%s.deny`, pkg)
	}
	return fmt.Sprintf(`%[2]sdeny := %[3]s; %[2]sskip := [s | s := data.%[1]s.skip]; %[2]spass := [m | m := data.%[1]s.pass_message]`, pkg, prefix, deny)
}

// batch is one prepared query over every bundled rule of a scope. Run for one
// component, its rules share what the library works out about the component
// (its directory, entities, which files exist) instead of each working it out
// again. Custom rules are never batched: each keeps its own time limit.
type batch struct {
	query  rego.PreparedEvalQuery
	prefix map[*compiledRule]string // the rule's bindings prefix
}

func prepareBatches(ctx context.Context, c *ast.Compiler, store storage.Store, rules []*compiledRule) (map[string]*batch, error) {
	out := map[string]*batch{}
	for _, scope := range []string{ScopeRepository, ScopeComponent} {
		b := &batch{prefix: map[*compiledRule]string{}}
		var parts []string
		for _, r := range rules {
			if r.Custom || r.Scope != scope {
				continue
			}
			b.prefix[r] = fmt.Sprintf("r%d_", len(parts))
			parts = append(parts, outcomeQuery(r.pkg, b.prefix[r], r.denySet))
		}
		if len(parts) < 2 {
			continue
		}
		q, err := rego.New(rego.Compiler(c), rego.Store(store), rego.StrictBuiltinErrors(true),
			rego.Query(strings.Join(parts, "; "))).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare %s rules: %w", scope, err)
		}
		b.query = q
		out[scope] = b
	}
	return out, nil
}

// evalBatch judges the jobs of one unit that its batch covers, and returns the
// others. When the batch fails or runs out of time, every job is returned, to be
// run rule by rule as before with each rule's own limit and error.
func (e *Engine) evalBatch(ctx context.Context, b *batch, u unit, jobs []evalJob) []evalJob {
	var rest []evalJob
	for _, j := range jobs {
		if _, ok := b.prefix[j.rule]; !ok {
			rest = append(rest, j)
		}
	}
	// A context already done would fail the batch only if its cancellation
	// reached the evaluation before the evaluation ended.
	if len(jobs)-len(rest) < 2 || ctx.Err() != nil {
		return jobs
	}
	ctx, cancel := context.WithTimeout(ctx, e.limits.RuleTimeout)
	defer cancel()
	rs, err := b.query.Eval(ctx, e.evalOptions(u)...)
	if err != nil || len(rs) != 1 {
		return jobs
	}
	for _, j := range jobs {
		if p, ok := b.prefix[j.rule]; ok {
			judge(j.rule, rs[0].Bindings, p, j.res)
		}
	}
	return rest
}

// New compiles the bundled rules and the custom ones. It fails only when the bundled
// rules do not compile; a bad custom module becomes a Problem.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits()
	}
	bundled, err := BundledModules(false)
	if err != nil {
		return nil, err
	}
	set, problems, err := parseModules(bundled, opts.Custom, false)
	if err != nil {
		return nil, err
	}
	compiler, compileProblems, err := compileModules(set)
	if err != nil {
		return nil, err
	}
	problems = append(problems, compileProblems...)
	store := inmem.NewFromObject(map[string]any{})
	e := &Engine{limits: opts.Limits, store: store}
	for name, custom := range set.custom {
		if m := compiler.Modules[name]; custom && m != nil {
			e.needs.add(m)
		}
	}
	ann := compiler.GetAnnotationSet()
	seen := map[string]bool{}
	for _, name := range sortedKeys(set.modules) {
		m := set.modules[name]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if seen[pkg] || !definesDeny(compiler, m.Package.Path) {
			continue
		}
		seen[pkg] = true
		rule, err := ruleFromAnnotations(pkg, ann.GetPackageScope(m.Package), name)
		if err != nil {
			if !set.custom[name] {
				return nil, fmt.Errorf("bundled rule in %s: %w", name, err)
			}
			problems = append(problems, Problem{Source: name, Line: m.Package.Location.Row, Message: err.Error()})
			continue
		}
		denySet := denyIsSet(compiler, m.Package.Path)
		q, err := rego.New(
			rego.Compiler(compiler),
			rego.Store(store),
			rego.StrictBuiltinErrors(true),
			rego.Query(outcomeQuery(pkg, "", denySet)),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare rule %s: %w", rule.ID, err)
		}
		e.rules = append(e.rules, &compiledRule{Rule: *rule, query: q, denySet: denySet})
		e.reads = append(e.reads, rule.Reads...)
	}
	sort.Slice(e.rules, func(i, j int) bool { return e.rules[i].ID < e.rules[j].ID })
	if e.batches, err = prepareBatches(ctx, compiler, store, e.rules); err != nil {
		return nil, err
	}
	e.shared = findSharedDocs(compiler)
	if e.tests, err = loadTestConventions(ctx, compiler, store); err != nil {
		return nil, err
	}
	e.types = slices.Clone(knownTypes)
	for _, r := range e.rules {
		e.types = append(e.types, r.AppliesTo...)
	}
	slices.Sort(e.types)
	e.types = slices.Compact(e.types)
	e.problems = problems
	e.digest = set.digest()
	return e, nil
}

func definesDeny(c *ast.Compiler, pkg ast.Ref) bool {
	return len(c.GetRulesExact(pkg.Append(ast.StringTerm("deny")))) > 0
}

// denyIsSet reports whether every deny rule of a package adds to a partial set.
func denyIsSet(c *ast.Compiler, pkg ast.Ref) bool {
	for _, r := range c.GetRulesExact(pkg.Append(ast.StringTerm("deny"))) {
		if r.Head.RuleKind() != ast.MultiValue {
			return false
		}
	}
	return true
}

// Rules lists the compiled rules, sorted by ID.
func (e *Engine) Rules() []Rule {
	out := make([]Rule, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.Rule
	}
	return out
}

// Problems lists the custom modules that were rejected or did not compile.
func (e *Engine) Problems() []Problem { return slices.Clone(e.problems) }

// Digest identifies the rule set: it changes when any module's source changes, so
// stored evaluations made with other rules can be told apart.
func (e *Engine) Digest() string { return e.digest }

// Evaluate runs every rule on a snapshot: repository rules once, component rules
// once per component.
func (e *Engine) Evaluate(ctx context.Context, snap Snapshot, req Request) (*Evaluation, error) {
	ctx, cancel := context.WithTimeout(ctx, e.limits.EvalTimeout)
	defer cancel()
	name := req.Repository.FullName()
	entries, err := snap.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", name, err)
	}
	listingPartial := partialReason(snap)
	ix := newPathIndex(entries)
	// Test files are picked out of the extensions' lists while the catalog and
	// the files are read.
	testFiles := make(chan []string, 1)
	go func() { testFiles <- ix.testFiles(e.tests) }()
	set := newSettings(req)
	cat, err := discoverCatalog(ctx, snap, ix, set.org.CatalogDiscover(), e.limits.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("discover catalog of %s: %w", name, err)
	}
	comps, notes := findComponents(cat, ix, req.Repository)
	cat.Notes = append(cat.Notes, notes...)
	findSharedPaths(ix, comps)
	files, err := e.readFiles(ctx, snap, ix, comps)
	if err != nil {
		return nil, fmt.Errorf("read files of %s: %w", name, err)
	}
	snapPartial := partialReason(snap)
	gaps := e.gapsOf(files, listingPartial != "", snapPartial != listingPartial)
	doc := &inputDoc{
		repo:       req.Repository,
		index:      ix,
		files:      files,
		catalog:    cat,
		codeowners: parseCodeowners(files),
		components: comps,
		blocks:     set.org.BuildingBlocks,
		testFiles:  <-testFiles,
		needs:      e.needs,
	}
	if req.Override != nil {
		doc.override = overrideFacts{ComponentType: req.Override.ComponentType, Owner: req.Override.Owner}
	}
	problems := slices.Clone(e.problems)
	problems = append(problems, e.settleComponents(doc, req.Override)...)
	ev := &Evaluation{
		Schema:        InputSchema,
		Repository:    name,
		ComponentType: doc.root.Type,
		Owner:         doc.root.Owner,
		Results:       make([]Result, 0, len(e.rules)),
		Problems:      problems,
		Notes:         cat.Notes,
		Partial:       joinReasons(snapPartial, gaps.reason),
	}
	// Remediation templates name the repository being judged, never an example's.
	fill := strings.NewReplacer("{{repository}}", req.Repository.Name, "{{full_name}}", name)
	// What the configuration decides comes first, in rule order; the rules left
	// to run are then evaluated component by component in parallel.
	results := make([][]Result, len(e.rules)) // [rule][component], one slot for a repository rule
	units := make([][]evalJob, len(comps)+1)  // by component; the last is the repository rules'
	for ri, r := range e.rules {
		base := r.blankResult(fill)
		if r.Scope == ScopeRepository {
			d := set.decide(&r.Rule, componentTypes(comps)...)
			results[ri] = []Result{base}
			res := &results[ri][0]
			res.Severity = d.severity
			if d.expired != nil {
				ev.ExpiredExemptions = append(ev.ExpiredExemptions, *d.expired)
			}
			if d.skip != "" {
				res.Status, res.Message, res.Exempt = StatusSkip, d.skip, d.exempt
			} else {
				units[len(comps)] = append(units[len(comps)], evalJob{rule: r, res: res})
			}
			continue
		}
		results[ri] = make([]Result, len(comps))
		for i, c := range comps {
			d := set.decide(&r.Rule, c.Type)
			results[ri][i] = base
			res := &results[ri][i]
			res.Severity = d.severity
			if d.expired != nil && i == 0 {
				ev.ExpiredExemptions = append(ev.ExpiredExemptions, *d.expired)
			}
			if d.skip != "" {
				res.Status, res.Message, res.Exempt = StatusSkip, d.skip, d.exempt
			} else {
				units[i] = append(units[i], evalJob{rule: r, res: res})
			}
		}
	}
	if err := e.evalUnits(ctx, doc, units); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	for ri, r := range e.rules {
		for i := range results[ri] {
			gaps.settle(r, &results[ri][i], ev.Partial)
		}
		if r.Scope == ScopeRepository {
			ev.Results = append(ev.Results, results[ri][0])
			continue
		}
		for i, c := range comps {
			c.Results = append(c.Results, results[ri][i])
		}
		base := r.blankResult(fill)
		ev.Results = append(ev.Results, combineResults(base, comps, results[ri]))
	}
	ev.Components = make([]Component, len(comps))
	for i, c := range comps {
		if c.Results == nil {
			c.Results = []Result{}
		}
		c.Summary = Summarize(c.Results)
		ev.Components[i] = *c
	}
	ev.Summary = Summarize(ev.Results)
	return ev, nil
}

// blankResult is the rule's result before it is judged, its remediation
// filled in.
func (r *compiledRule) blankResult(fill *strings.Replacer) Result {
	return Result{
		Rule: r.ID, Title: r.Title, Aspect: r.Aspect, Level: r.Level, Scope: r.Scope,
		Files: []FileRef{}, Remediation: fill.Replace(r.Remediation),
	}
}

// evalJob is one rule to run for one component (or the repository), and where
// its result goes.
type evalJob struct {
	rule *compiledRule
	res  *Result
}

// evalUnits runs the jobs, unit by unit: units[i] judge doc.components[i], the
// last unit holds the repository rules. Up to GOMAXPROCS workers share the
// prepared queries; each converts its own input documents, since the lazy AST
// values cache conversions without locking, and each unit's input is built once.
// A repository of one component runs on one worker: a second would convert the
// shared input again for a handful of repository rules and cost more than it saves.
func (e *Engine) evalUnits(ctx context.Context, doc *inputDoc, units [][]evalJob) error {
	workers := min(runtime.GOMAXPROCS(0), len(doc.components))
	var next atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	for range workers {
		wd := doc.worker()
		g.Go(func() error {
			// One read transaction per worker: the store is empty and never written.
			txn, err := e.store.NewTransaction(ctx)
			if err != nil {
				return err
			}
			defer e.store.Abort(ctx, txn)
			if err := wd.buildShared(); err != nil {
				return fmt.Errorf("build input: %w", err)
			}
			// goldenpath.existing answers this worker's input.path_set and
			// input.dirs from the listing.
			ctx := context.WithValue(ctx, listingKey{}, wd.listing)
			shared := make([]sharedValue, e.shared.count)
			for k := int(next.Add(1)) - 1; k < len(units); k = int(next.Add(1)) - 1 {
				// The repository's unit (the last) is taken first: the
				// longest, it would otherwise run alone at the end.
				u := (k + len(units) - 1) % len(units)
				if len(units[u]) == 0 {
					continue
				}
				var c *Component
				if u < len(doc.components) {
					c = doc.components[u]
				}
				in, err := wd.value(c)
				if err != nil {
					if c != nil {
						return fmt.Errorf("build input for component %s: %w", c.Name, err)
					}
					return fmt.Errorf("build input: %w", err)
				}
				jobs, ue := units[u], unit{input: in, txn: txn, shared: shared}
				if b := e.batches[units[u][0].rule.Scope]; b != nil {
					jobs = e.evalBatch(ctx, b, ue, jobs)
				}
				for _, j := range jobs {
					e.evalRule(ctx, j.rule, ue, j.res)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func componentTypes(comps []*Component) []string {
	var out []string
	for _, c := range comps {
		if !slices.Contains(out, c.Type) {
			out = append(out, c.Type)
		}
	}
	return out
}

// combineResults is the repository-level result of a component rule: it fails
// when any component fails it and says which; otherwise an error wins, then a
// pass; it is skipped only when every component skipped it.
func combineResults(base Result, comps []*Component, per []Result) Result {
	if len(per) == 1 {
		return per[0]
	}
	out := base
	out.Severity = per[0].Severity
	counts := map[Status]int{}
	for _, r := range per {
		counts[r.Status]++
		if r.Severity == SeverityError || (r.Severity == SeverityWarning && out.Severity == SeverityInfo) {
			out.Severity = r.Severity
		}
	}
	notJudged := slices.IndexFunc(per, func(r Result) bool { return r.NotJudged })
	switch {
	case counts[StatusFail] > 0:
		out.Status = StatusFail
	case notJudged >= 0:
		// A component that may fail leaves the repository's result open too.
		nj := per[notJudged]
		out.Status, out.NotJudged, out.Message, out.Files = nj.Status, true, nj.Message, []FileRef{}
		return out
	case counts[StatusError] > 0:
		out.Status = StatusError
	case counts[StatusPass] > 0:
		out.Status = StatusPass
	default:
		out.Status, out.Message, out.Exempt = StatusSkip, per[0].Message, per[0].Exempt
		if !slices.ContainsFunc(per, func(r Result) bool { return r.Message != per[0].Message }) {
			return out
		}
	}
	var lines []string
	switch out.Status {
	case StatusPass:
		lines = append(lines, fmt.Sprintf("passes for %d of %d components (%d not applicable)", counts[StatusPass], len(per), counts[StatusSkip]))
	case StatusSkip:
		lines = append(lines, fmt.Sprintf("skipped for all %d components", len(per)))
	default:
		lines = append(lines, fmt.Sprintf("%ss for %d of %d components", out.Status, counts[out.Status], len(per)))
	}
	seen := map[FileRef]bool{}
	for i, r := range per {
		if r.Status != out.Status {
			continue
		}
		lines = append(lines, fmt.Sprintf("- %s (%s): %s", comps[i].Name, comps[i].Path, r.Message))
		for _, f := range r.Files {
			if !seen[f] {
				seen[f] = true
				out.Files = append(out.Files, f)
			}
		}
	}
	out.Message = strings.Join(lines, "\n")
	return out
}

// unit is what the queries judging one unit are evaluated with: its input, the
// worker's transaction and the documents the worker's units share.
type unit struct {
	input  ast.Value
	txn    storage.Transaction
	shared []sharedValue
}

func (e *Engine) evalOptions(u unit) []rego.EvalOption {
	return []rego.EvalOption{
		rego.EvalParsedInput(u.input), rego.EvalTransaction(u.txn),
		rego.EvalVirtualCache(newUnitCache(e.shared, u.shared)),
		rego.EvalGenerateJSON(keepTerm),
	}
}

func (e *Engine) evalRule(ctx context.Context, r *compiledRule, u unit, res *Result) {
	ctx, cancel := context.WithTimeout(ctx, e.limits.RuleTimeout)
	defer cancel()
	rs, err := r.query.Eval(ctx, e.evalOptions(u)...)
	if err != nil {
		res.Status, res.Message = StatusError, ruleError(err, e.limits.RuleTimeout)
		return
	}
	if len(rs) != 1 {
		res.Status, res.Message = StatusError, "rule produced no result"
		return
	}
	judge(r, rs[0].Bindings, "", res)
}

// judge reads a rule's outcome from the bindings of its query, named
// prefix+"deny", prefix+"skip" and prefix+"pass". They are the terms
// themselves (see evalOptions): the engine reads a few strings of each, so
// converting every outcome to Go values first would only make garbage.
func judge(r *compiledRule, b rego.Vars, prefix string, res *Result) {
	if skips := elems(b[prefix+"skip"]); len(skips) > 0 {
		res.Status, res.Message = StatusSkip, text(skips[0])
		return
	}
	denies := elems(b[prefix+"deny"])
	if len(denies) == 0 {
		res.Status, res.Message = StatusPass, r.Title
		if msgs := elems(b[prefix+"pass"]); len(msgs) > 0 {
			res.Message = text(msgs[0])
		}
		return
	}
	res.Status = StatusFail
	var msgs []string
	for _, d := range denies {
		msg, files, err := violation(d)
		if err != nil {
			res.Status, res.Message, res.Files = StatusError, err.Error(), []FileRef{}
			return
		}
		msgs = append(msgs, msg)
		res.Files = append(res.Files, files...)
	}
	res.Message = strings.Join(msgs, "\n")
}

// keepTerm leaves a query's bindings as terms, for judge.
func keepTerm(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// elems is the elements of a bound array or set, in the order a conversion
// to JSON gives them.
func elems(v any) []*ast.Term {
	t, _ := v.(*ast.Term)
	if t == nil {
		return nil
	}
	var out []*ast.Term
	switch x := t.Value.(type) {
	case *ast.Array:
		x.Foreach(func(e *ast.Term) { out = append(out, e) })
	case ast.Set:
		x.Foreach(func(e *ast.Term) { out = append(out, e) })
	}
	return out
}

// text is a message: a string as it is, anything else as fmt prints its JSON
// value.
func text(t *ast.Term) string {
	if s, ok := t.Value.(ast.String); ok {
		return string(s)
	}
	return fmt.Sprint(jsonOf(t))
}

func jsonOf(t *ast.Term) any {
	v, err := ast.JSON(t.Value)
	if err != nil {
		return t.String()
	}
	return v
}

// violation reads one element of a rule's deny set.
func violation(d *ast.Term) (string, []FileRef, error) {
	switch v := d.Value.(type) {
	case ast.String:
		return string(v), nil, nil
	case ast.Object:
		msg, ok := termString(v.Get(ast.StringTerm("message")))
		if !ok {
			return "", nil, errors.New(`deny element has no string "message"`)
		}
		var refs []FileRef
		var files []*ast.Term
		if f := v.Get(ast.StringTerm("files")); f != nil {
			files = elems(f)
		}
		for _, f := range files {
			var p string
			var line *ast.Term
			if fo, ok := f.Value.(ast.Object); ok {
				p, _ = termString(fo.Get(ast.StringTerm("path")))
				line = fo.Get(ast.StringTerm("line"))
			}
			if p == "" {
				return "", nil, errors.New(`deny element has a file without "path"`)
			}
			n := 0
			if line != nil {
				if num, ok := line.Value.(ast.Number); ok {
					n, _ = asJSONInt(json.Number(num))
				}
			}
			refs = append(refs, FileRef{Path: p, Line: n})
		}
		return msg, refs, nil
	}
	return "", nil, fmt.Errorf("deny element must be a string or an object, got %T", jsonOf(d))
}

// termString is the string a term holds.
func termString(t *ast.Term) (string, bool) {
	if t == nil {
		return "", false
	}
	s, ok := t.Value.(ast.String)
	return string(s), ok
}

func asJSONInt(v any) (int, bool) {
	if n, ok := v.(interface{ Int64() (int64, error) }); ok {
		i, err := n.Int64()
		return int(i), err == nil
	}
	return asInt(v)
}

func ruleError(err error, limit time.Duration) string {
	var te *topdown.Error
	if errors.As(err, &te) && te.Code == topdown.CancelErr {
		return fmt.Sprintf("rule exceeded its time limit of %s", limit)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("rule exceeded its time limit of %s", limit)
	}
	return "rule failed: " + err.Error()
}

// readFiles reads the files rules declared in reads, plus the CODEOWNERS files
// the engine parses, within the limits. Component rules read relative to each
// component's directory.
func (e *Engine) readFiles(ctx context.Context, snap Snapshot, ix *pathIndex, comps []*Component) (map[string]fileContent, error) {
	globs := append(slices.Clone(codeownersFiles), e.reads...)
	var componentReads []string
	for _, r := range e.rules {
		for _, g := range r.Reads {
			// A "**/" glob read from the root already reaches every component.
			if r.Scope == ScopeComponent && !strings.HasPrefix(g, "**/") {
				componentReads = append(componentReads, g)
			}
		}
	}
	// Rules share globs (slos/**/*.yaml): each is matched once per component.
	slices.Sort(componentReads)
	componentReads = slices.Compact(componentReads)
	for _, c := range comps {
		if c.Path == RootPath {
			continue
		}
		for _, g := range componentReads {
			globs = append(globs, c.prefix()+g)
		}
	}
	matched := ix.match(globs)
	// The engine's own files first, so the file limit never hides CODEOWNERS.
	sort.SliceStable(matched, func(i, j int) bool {
		return slices.Contains(codeownersFiles, matched[i]) && !slices.Contains(codeownersFiles, matched[j])
	})
	files := make(map[string]fileContent, len(matched))
	var toRead []string
	for _, p := range matched {
		en, _ := ix.entry(p)
		f := fileContent{Size: en.Size, SHA: en.SHA}
		switch {
		case en.Size > e.limits.MaxFileBytes:
			f.Skipped = skippedTooLarge
		case len(toRead) >= e.limits.MaxFiles:
			f.Skipped = skippedLimit
		default:
			toRead = append(toRead, p)
		}
		files[p] = f
	}
	if len(toRead) == 0 {
		return files, nil
	}
	data, err := snap.Read(ctx, toRead)
	if err != nil {
		return nil, err
	}
	for _, p := range toRead {
		f := files[p]
		b, ok := data[p]
		if !ok {
			f.Skipped = skippedUnreadable
		} else {
			f.Content, f.Skipped = textContent(b, e.limits.MaxFileBytes)
		}
		files[p] = f
	}
	return files, nil
}

// partialReason asks a snapshot what it could not list or read.
func partialReason(snap Snapshot) string {
	if p, ok := snap.(Partial); ok {
		return p.PartialReason()
	}
	return ""
}

// evidenceGaps is what an evaluation could not see: a failing rule whose evidence
// may be there is not judged.
type evidenceGaps struct {
	all    bool     // the listing or a file every rule depends on is incomplete
	unread []string // matched by reads but left unread by the file limit
	reason string   // the engine's own limit, when it cut the reading
}

// gapsOf finds them. A listing cut short, or reads the snapshot cut short (the
// catalog's among them), may hide any rule's evidence; files the engine's own
// limit left unread hide only the evidence of the rules that read them.
func (e *Engine) gapsOf(files map[string]fileContent, listingPartial, readsPartial bool) evidenceGaps {
	g := evidenceGaps{all: listingPartial || readsPartial}
	for _, p := range sortedKeys(files) {
		if files[p].Skipped == skippedLimit {
			g.unread = append(g.unread, p)
			if slices.Contains(codeownersFiles, p) {
				g.all = true
			}
		}
	}
	if len(g.unread) > 0 {
		g.reason = fmt.Sprintf("read %d of %d files rules read: file limit of %d reached", len(files)-len(g.unread), len(files), e.limits.MaxFiles)
	}
	return g
}

// settle turns a failure whose evidence may be missing into a skip not judged.
func (g evidenceGaps) settle(r *compiledRule, res *Result, partial string) {
	if res.Status == StatusFail && g.touch(r.Reads) {
		res.Status, res.NotJudged, res.Files = StatusSkip, true, []FileRef{}
		res.Message = "not judged: the evaluation is partial (" + partial + "), so evidence may be missing"
	}
}

// touch reports whether a rule reading globs may lack evidence.
func (g evidenceGaps) touch(globs []string) bool {
	if g.all {
		return true
	}
	for _, p := range g.unread {
		for _, glob := range globs {
			if ok, _ := doublestar.Match(glob, p); ok {
				return true
			}
		}
	}
	return false
}

func joinReasons(reasons ...string) string {
	return strings.Join(slices.DeleteFunc(reasons, func(r string) bool { return r == "" }), "; ")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// BundledModules returns the bundled Rego sources by file name; tests (files ending
// in _test.rego) only when withTests is set.
func BundledModules(withTests bool) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(bundledFS, "rules", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!withTests && strings.HasSuffix(p, "_test.rego")) {
			return err
		}
		b, err := bundledFS.ReadFile(p)
		out["policies/"+p] = string(b)
		return err
	})
	return out, err
}

// digest hashes every module source with its name, in name order.
func (s *moduleSet) digest() string {
	h := sha256.New()
	for _, name := range sortedKeys(s.sources) {
		fmt.Fprintf(h, "%s\x00%d\x00%s", name, len(s.sources[name]), s.sources[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}
