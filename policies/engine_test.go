package policies

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/open-policy-agent/opa/v1/ast"
)

// memSnapshot is a snapshot held in memory that counts what the engine reads.
type memSnapshot struct {
	files map[string]string
	sizes map[string]int64 // overrides the size of a path (a huge file is not held)

	mu      sync.Mutex
	read    []string
	entries []Entry
}

func (m *memSnapshot) Entries(context.Context) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries != nil {
		return m.entries, nil
	}
	var out []Entry
	for p, c := range m.files {
		sum := sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(c), c)))
		size := int64(len(c))
		if s, ok := m.sizes[p]; ok {
			size = s
		}
		out = append(out, Entry{Path: p, SHA: hex.EncodeToString(sum[:]), Size: size})
	}
	// Listed in path order, as git and GitHub's tree API list them.
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	m.entries = out
	return out, nil
}

func (m *memSnapshot) Read(_ context.Context, paths []string) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]byte{}
	for _, p := range paths {
		m.read = append(m.read, p)
		if c, ok := m.files[p]; ok {
			out[p] = []byte(c)
		}
	}
	return out, nil
}

func newEngine(t testing.TB, custom map[string]string) *Engine {
	t.Helper()
	e, err := New(context.Background(), Options{Custom: custom})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func evaluate(t testing.TB, e *Engine, files map[string]string, req Request) *Evaluation {
	t.Helper()
	if req.Repository.Name == "" {
		req.Repository = Repository{Owner: "acme", Name: "payments"}
	}
	if req.Today.IsZero() {
		req.Today = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	}
	ev, err := e.Evaluate(context.Background(), &memSnapshot{files: files}, req)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func result(t testing.TB, ev *Evaluation, rule string) Result {
	t.Helper()
	for _, r := range ev.Results {
		if r.Rule == rule {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", rule, ev.Results)
	return Result{}
}

const customHeader = `# METADATA
# title: %s
# custom:
#   aspect: operations
#   level: 2
#   severity: error
#   reads: ["ops/*.yaml"]
package goldenpath.custom.%s
`

func customRule(name, body string) string {
	return fmt.Sprintf(customHeader, name, name) + body
}

func TestCustomRuleOutcomes(t *testing.T) {
	e := newEngine(t, map[string]string{
		"ops.rego": customRule("ops", `
deny contains {"message": "ops/owner.yaml must name a team", "files": [{"path": "ops/owner.yaml", "line": 1}]} if {
	not contains(input.files["ops/owner.yaml"].content, "team:")
}
skip := "no ops directory" if not input.dirs.ops
pass_message := "ops/owner.yaml names a team"
`),
	})
	tests := []struct {
		name    string
		files   map[string]string
		status  Status
		message string
		files2  []FileRef
	}{
		{"pass", map[string]string{"ops/owner.yaml": "team: payments\n"}, StatusPass, "ops/owner.yaml names a team", []FileRef{}},
		{"fail", map[string]string{"ops/owner.yaml": "nobody\n"}, StatusFail, "ops/owner.yaml must name a team", []FileRef{{Path: "ops/owner.yaml", Line: 1}}},
		{"skip", map[string]string{"README.md": "# x\n"}, StatusSkip, "no ops directory", []FileRef{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := result(t, evaluate(t, e, tt.files, Request{}), "custom.ops")
			if r.Status != tt.status || r.Message != tt.message {
				t.Fatalf("got %s %q, want %s %q", r.Status, r.Message, tt.status, tt.message)
			}
			if fmt.Sprint(r.Files) != fmt.Sprint(tt.files2) {
				t.Fatalf("files %v, want %v", r.Files, tt.files2)
			}
			if r.Aspect != "operations" || r.Level != 2 || r.Severity != SeverityError {
				t.Fatalf("metadata not carried: %+v", r)
			}
		})
	}
}

func TestCustomModulesThatAreRejected(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		problem string
	}{
		{"network", customRule("net", `deny contains "x" if { http.send({"method": "GET", "url": "http://127.0.0.1:1"}) }`), "http.send"},
		{"dns", customRule("dns", `deny contains "x" if { net.lookup_ip_addr("example.com") }`), "net.lookup_ip_addr"},
		{"time", customRule("clock", `deny contains "x" if { time.now_ns() > 0 }`), "time.now_ns"},
		{"runtime", customRule("env", `deny contains "x" if { opa.runtime().env.HOME }`), "opa.runtime"},
		{"unbounded", customRule("big", `deny contains "x" if { count(numbers.range(1, 1000000000000)) > 0 }`), "numbers.range"},
		{"bundled package", `# METADATA
# title: shadow
# custom: {aspect: adoption, level: 1, severity: info}
package goldenpath.rules.catalog.present
deny contains "always" if true
`, "not allowed"},
		{"other package", "package acme.rules\ndeny contains \"x\" if true\n", "not allowed"},
		{"syntax", "package goldenpath.custom.broken\ndeny contains if {\n", "broken.rego"},
		{"no metadata", "package goldenpath.custom.bare\ndeny contains \"x\" if true\n", "METADATA"},
		{"bad aspect", "# METADATA\n# title: t\n# custom: {aspect: vibes, level: 1, severity: info}\npackage goldenpath.custom.vibes\ndeny contains \"x\" if true\n", "custom.aspect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := customRule("good", `deny contains "never" if false`)
			e := newEngine(t, map[string]string{"broken.rego": tt.src, "good.rego": good})
			probs := e.Problems()
			if len(probs) == 0 || !strings.Contains(fmt.Sprint(probs), tt.problem) {
				t.Fatalf("problems %+v, want one mentioning %q", probs, tt.problem)
			}
			if probs[0].Source != "broken.rego" {
				t.Fatalf("problem names %q, want broken.rego", probs[0].Source)
			}
			ev := evaluate(t, e, map[string]string{"README.md": "x"}, Request{})
			if r := result(t, ev, "custom.good"); r.Status != StatusPass {
				t.Fatalf("the good custom rule must keep running, got %+v", r)
			}
			if len(ev.Problems) == 0 {
				t.Fatal("evaluation must carry the problem")
			}
			for _, r := range ev.Results {
				if r.Rule == "catalog.present" && r.Message == "always" {
					t.Fatal("a custom module shadowed a bundled rule")
				}
			}
		})
	}
}

func TestRuleThatLoopsHitsItsTimeLimit(t *testing.T) {
	e, err := New(context.Background(), Options{
		Custom: map[string]string{"loop.rego": customRule("loop", `
digits := split(sprintf("%0400d", [0]), "")
deny contains "looped" if {
	n := count([1 | some a in digits; some b in digits; some c in digits; some d in digits])
	n < 0
}
`)},
		Limits: Limits{MaxFileBytes: 1 << 20, MaxFiles: 10, RuleTimeout: 200 * time.Millisecond, EvalTimeout: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ev := evaluate(t, e, map[string]string{"README.md": "x"}, Request{})
	r := result(t, ev, "custom.loop")
	if r.Status != StatusError || !strings.Contains(r.Message, "time limit") {
		t.Fatalf("got %+v, want an error naming the time limit", r)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("evaluation took %s: the deadline did not stop the rule", d)
	}
}

func TestEngineReadsOnlyDeclaredFilesWithinLimits(t *testing.T) {
	e, err := New(context.Background(), Options{
		Custom: map[string]string{"ops.rego": customRule("ops", `deny contains p if { some p, f in input.files; f.skipped; startswith(p, "ops/") }`)},
		Limits: Limits{MaxFileBytes: 64, MaxFiles: 3, RuleTimeout: time.Second, EvalTimeout: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	snap := &memSnapshot{
		files: map[string]string{
			"ops/a.yaml":     "a: 1",
			"ops/b.yaml":     "b\x00binary",
			"ops/huge.yaml":  "",
			"ops/z.yaml":     "z: 1",
			"src/main.go":    "package main",
			"ops/deep/x.yml": "not matched by ops/*.yaml",
		},
		sizes: map[string]int64{"ops/huge.yaml": 100 << 20},
	}
	ev, err := e.Evaluate(context.Background(), snap, Request{Repository: Repository{Name: "r"}})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(snap.read)
	if got := strings.Join(snap.read, ","); strings.Contains(got, "src/main.go") || strings.Contains(got, "huge") || strings.Contains(got, "deep") {
		t.Fatalf("engine read %s", got)
	}
	r := result(t, ev, "custom.ops")
	for _, want := range []string{"ops/b.yaml", "ops/huge.yaml"} {
		if !strings.Contains(r.Message, want) {
			t.Fatalf("want %s reported as skipped, got %q", want, r.Message)
		}
	}
}

func TestEvaluationIsDeterministic(t *testing.T) {
	e := newEngine(t, nil)
	files := map[string]string{
		"README.md":          "# Payments\n\nHandles card payments for the shop.\nRun it with make run.\nOwned by the payments team.\n",
		"catalog-info.yaml":  "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
		".github/CODEOWNERS": "* @acme/payments\n",
		"infra/main.tf":      "resource \"x\" \"y\" {}\n",
	}
	first := evaluate(t, e, files, Request{})
	want, _ := json.Marshal(first)
	for range 3 {
		got, _ := json.Marshal(evaluate(t, e, files, Request{}))
		if string(got) != string(want) {
			t.Fatalf("outcomes differ:\n%s\n%s", want, got)
		}
	}
	if first.ComponentType != "service" || first.Owner != "team-a" {
		t.Fatalf("component type %q owner %q", first.ComponentType, first.Owner)
	}
}

func TestConfigurationDecidesSkipsAndSeverity(t *testing.T) {
	e := newEngine(t, map[string]string{"ops.rego": customRule("ops", `deny contains "missing" if true`)})
	org := func(y string) *config.Org {
		o, err := config.ParseOrg("golden-path.yaml", []byte(y))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	tests := []struct {
		name     string
		org      *config.Org
		override *config.RepoOverride
		status   Status
		severity Severity
		exempt   bool
		expired  int
	}{
		{"default", nil, nil, StatusFail, SeverityError, false, 0},
		{"disabled", org("rules: {disable: [custom.ops]}"), nil, StatusSkip, SeverityError, false, 0},
		{"severity", org("rules: {severity: {custom.ops: info}}"), nil, StatusFail, SeverityInfo, false, 0},
		{"not enforced yet", org("rules: {enforce_from: {custom.ops: 2027-01-01}}"), nil, StatusFail, SeverityWarning, false, 0},
		{"enforced", org("rules: {enforce_from: {custom.ops: 2026-01-01}}"), nil, StatusFail, SeverityError, false, 0},
		{"exempt", org("exemptions: [{repositories: [pay*], rules: [custom.ops], reason: legacy, expires: 2027-03-31}]"), nil, StatusSkip, SeverityError, true, 0},
		{"exemption expired", org("exemptions: [{repositories: [pay*], rules: [custom.ops], reason: legacy, expires: 2026-11-29}]"), nil, StatusFail, SeverityError, false, 1},
		{"other repository", org("exemptions: [{repositories: [legacy-*], rules: [custom.ops], reason: legacy}]"), nil, StatusFail, SeverityError, false, 0},
		{"repository exemption allowed", org("allow_repository_exemptions: true"), &config.RepoOverride{Exemptions: []config.Exemption{{Rules: []string{"custom.ops"}, Reason: "why"}}}, StatusSkip, SeverityError, true, 0},
		{"repository exemption not allowed", nil, &config.RepoOverride{Exemptions: []config.Exemption{{Rules: []string{"custom.ops"}, Reason: "why"}}}, StatusFail, SeverityError, false, 0},
		{"not applicable", nil, &config.RepoOverride{ComponentType: "library"}, StatusFail, SeverityError, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := evaluate(t, e, map[string]string{"README.md": "x"}, Request{Org: tt.org, Override: tt.override})
			r := result(t, ev, "custom.ops")
			if r.Status != tt.status || r.Severity != tt.severity || r.Exempt != tt.exempt || len(ev.ExpiredExemptions) != tt.expired {
				t.Fatalf("got %s/%s exempt=%v expired=%v (%q)", r.Status, r.Severity, r.Exempt, ev.ExpiredExemptions, r.Message)
			}
		})
	}
}

func TestComponentTypeResolution(t *testing.T) {
	e := newEngine(t, nil)
	catalog := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: website, owner: a, lifecycle: production}\n"
	tests := []struct {
		name     string
		files    map[string]string
		override *config.RepoOverride
		want     string
	}{
		{"catalog wins", map[string]string{"catalog-info.yaml": catalog}, &config.RepoOverride{ComponentType: "library"}, "website"},
		{"override", map[string]string{}, &config.RepoOverride{ComponentType: "library"}, "library"},
		{"default", map[string]string{}, nil, "service"},
		{"broken catalog falls through", map[string]string{"catalog-info.yaml": "kind: [\n"}, &config.RepoOverride{ComponentType: "docs"}, "docs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate(t, e, tt.files, Request{Override: tt.override}).ComponentType; got != tt.want {
				t.Fatalf("component type %q, want %q", got, tt.want)
			}
		})
	}
}

// partialSnapshot is a snapshot that says it was cut short.
type partialSnapshot struct {
	memSnapshot
	reason string
}

func (p *partialSnapshot) PartialReason() string { return p.reason }

func TestPartialEvaluationDoesNotFailForMissingEvidence(t *testing.T) {
	files := map[string]string{".github/CODEOWNERS": "* @acme/payments\n", "ops/a.yaml": "a: 1", "ops/b.yaml": "b: 1"}
	custom := map[string]string{"ops.rego": customRule("ops", `deny contains "ops files must be empty" if { some p, f in input.files; startswith(p, "ops/"); f.content != "" }`)}
	tests := []struct {
		name        string
		reason      string // the snapshot's
		maxFiles    int
		wantPartial string
		// status of docs.readme (no README) and custom.ops (fails on what it reads)
		wantReadme, wantOps Status
	}{
		{name: "complete", maxFiles: 10, wantReadme: StatusFail, wantOps: StatusFail},
		{name: "partial listing: no failure is judged", reason: "listed 3 of ? paths: request budget of 5 reached", maxFiles: 10,
			wantPartial: "listed 3 of ? paths: request budget of 5 reached", wantReadme: StatusSkip, wantOps: StatusSkip},
		{name: "file limit: only the rules whose files were not read", maxFiles: 2,
			wantPartial: "read 2 of 3 files rules read: file limit of 2 reached", wantReadme: StatusFail, wantOps: StatusSkip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limits := DefaultLimits()
			limits.MaxFiles = tt.maxFiles
			e, err := New(context.Background(), Options{Custom: custom, Limits: limits})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := e.Evaluate(context.Background(), &partialSnapshot{memSnapshot: memSnapshot{files: files}, reason: tt.reason},
				Request{Repository: Repository{Owner: "acme", Name: "payments"}})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Partial != tt.wantPartial {
				t.Errorf("partial = %q, want %q", ev.Partial, tt.wantPartial)
			}
			notJudged := 0
			for rule, want := range map[string]Status{"docs.readme": tt.wantReadme, "custom.ops": tt.wantOps} {
				r := result(t, ev, rule)
				if r.Status != want || r.NotJudged != (want == StatusSkip) {
					t.Errorf("%s: %s (not judged %v), want %s", rule, r.Status, r.NotJudged, want)
				}
				if r.NotJudged {
					notJudged++
					if !strings.HasPrefix(r.Message, "not judged: the evaluation is partial ("+tt.wantPartial+")") {
						t.Errorf("%s: message %q", rule, r.Message)
					}
				}
			}
			if r := result(t, ev, "ownership.codeowners"); r.Status != StatusPass {
				t.Errorf("ownership.codeowners: %s, want pass on the evidence read", r.Status)
			}
			if ev.Summary.NotJudged < notJudged || (tt.reason != "" && ev.Failed()) {
				t.Errorf("summary %+v, failed %v", ev.Summary, ev.Failed())
			}
		})
	}
}

// TestBatchesJudgeAsRuleByRule evaluates with the bundled rules batched per
// scope and rule by rule: the verdicts must not differ.
func TestBatchesJudgeAsRuleByRule(t *testing.T) {
	tests := []struct {
		name string
		snap *memSnapshot
	}{
		{"single component", syntheticRepo(300)},
		{"monorepo", monorepo(2_000, 12)},
		{"empty repository", &memSnapshot{files: map[string]string{}}},
	}
	batched := newEngine(t, nil)
	ruleByRule := newEngine(t, nil)
	ruleByRule.batches = nil
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := evaluate(t, ruleByRule, tt.snap.files, Request{})
			got := evaluate(t, batched, tt.snap.files, Request{})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("batched evaluation differs:\n got %+v\nwant %+v", got.Results, want.Results)
			}
		})
	}
}

// TestBatchFallsBack: a batch that fails leaves every job to be run rule by
// rule, untouched.
func TestBatchFallsBack(t *testing.T) {
	e := newEngine(t, nil)
	b := e.batches[ScopeComponent]
	var jobs []evalJob
	for _, r := range e.rules {
		if r.Scope == ScopeComponent {
			jobs = append(jobs, evalJob{rule: r, res: &Result{}})
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	txn, err := e.store.NewTransaction(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer e.store.Abort(context.Background(), txn)
	rest := e.evalBatch(ctx, b, unit{input: ast.NewObject(), txn: txn, shared: make([]sharedValue, e.shared.count)}, jobs)
	if len(rest) != len(jobs) {
		t.Fatalf("%d jobs left, want all %d", len(rest), len(jobs))
	}
	for _, j := range rest {
		if j.res.Status != "" {
			t.Errorf("%s judged by a failed batch: %+v", j.rule.ID, j.res)
		}
	}
}

// A deny written as a complete rule may be undefined: the rule then passes.
func TestCustomRuleWithCompleteDeny(t *testing.T) {
	e := newEngine(t, map[string]string{
		"whole.rego": customRule("whole", `
deny := ["ops/ is missing"] if not input.dirs.ops
`),
	})
	for _, tc := range []struct {
		files  map[string]string
		status Status
	}{
		{map[string]string{"ops/x": "x"}, StatusPass},
		{map[string]string{"README.md": "x"}, StatusFail},
	} {
		if r := result(t, evaluate(t, e, tc.files, Request{}), "custom.whole"); r.Status != tc.status {
			t.Errorf("%v: got %s %q, want %s", tc.files, r.Status, r.Message, tc.status)
		}
	}
}

// TestRuleOutcomeShapes checks how the outcomes a custom rule may produce are
// read: odd deny elements are the rule's error, files come from an array or a
// set, and a skip or pass message that is no string is printed.
func TestRuleOutcomeShapes(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     Status
		message    string
		files      string
	}{
		{"a number", `deny contains 3`, StatusError, "deny element must be a string or an object, got json.Number", "[]"},
		{"no message", `deny contains {"msg": "x"}`, StatusError, `deny element has no string "message"`, "[]"},
		{"a file without a path", `deny contains {"message": "m", "files": [{"line": 2}]}`, StatusError, `deny element has a file without "path"`, "[]"},
		{"files in an array", `deny contains {"message": "m", "files": [{"path": "a", "line": 2}, {"path": "b"}, {"path": "c", "line": "4"}]}`, StatusFail, "m", "[{a 2} {b 0} {c 0}]"},
		{"files in a set", `deny contains {"message": "m", "files": {{"path": "a", "line": 1}}}`, StatusFail, "m", "[{a 1}]"},
		{"two messages", `deny contains "b"
deny contains "a"`, StatusFail, "a\nb", "[]"},
		{"a skip that is a number", `skip := 3`, StatusSkip, "3", "[]"},
		{"a pass message that is an object", `deny contains "x" if false
pass_message := {"a": 1}`, StatusPass, "map[a:1]", "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if !strings.Contains(body, "deny") {
				body += "\ndeny contains \"never\" if false"
			}
			e := newEngine(t, map[string]string{"shape.rego": customRule("shape", body+"\n")})
			r := result(t, evaluate(t, e, map[string]string{"README.md": "x"}, Request{}), "custom.shape")
			if r.Status != tc.status || r.Message != tc.message || fmt.Sprint(r.Files) != tc.files {
				t.Errorf("got %s %q %v, want %s %q %s", r.Status, r.Message, r.Files, tc.status, tc.message, tc.files)
			}
		})
	}
}
