package checks

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/fix"
)

func eval(results ...policies.Result) *policies.Evaluation {
	ev := &policies.Evaluation{Repository: "acme/payments", ComponentType: "service", Results: results}
	ev.Summary = policies.Summarize(results)
	return ev
}

func rule(id string, sev policies.Severity, st policies.Status) policies.Result {
	return policies.Result{Rule: id, Title: id + " title", Aspect: "adoption", Level: 1, Severity: sev, Status: st, Message: id + " message"}
}

func TestConclusionAndTitle(t *testing.T) {
	const e, w = policies.SeverityError, policies.SeverityWarning
	pass, fail, skip := policies.StatusPass, policies.StatusFail, policies.StatusSkip
	tests := []struct {
		name     string
		ev       *policies.Evaluation
		blocking bool
		want     string
		title    string
	}{
		{"all pass", eval(rule("a", e, pass), rule("b", w, skip)), true, "success", "1 of 1 golden-path rules pass"},
		{"advisory failure", eval(rule("a", e, fail), rule("b", w, pass)), false, "neutral", "1 of 2 golden-path rules pass"},
		{"blocking error failure", eval(rule("a", e, fail)), true, "failure", "0 of 1 golden-path rules pass"},
		{"blocking warning failure", eval(rule("a", w, fail)), true, "neutral", "0 of 1 golden-path rules pass"},
		{"rule error", eval(rule("a", e, policies.StatusError)), true, "neutral", "0 of 1 golden-path rules pass"},
		{"configuration problem", func() *policies.Evaluation {
			ev := eval(rule("a", e, pass))
			ev.Problems = []policies.Problem{{Source: "golden-path.yaml", Line: 3, Message: "unknown key"}}
			return ev
		}(), true, "neutral", "1 of 1 golden-path rules pass"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := CheckOutput(tt.ev, Facts{Blocking: tt.blocking})
			if out.Conclusion != tt.want || out.Title != tt.title {
				t.Fatalf("got %s %q, want %s %q", out.Conclusion, out.Title, tt.want, tt.title)
			}
		})
	}
}

func TestAnnotations(t *testing.T) {
	r := rule("catalog.valid", policies.SeverityWarning, policies.StatusFail)
	r.Files = []policies.FileRef{{Path: "catalog-info.yaml", Line: 4}, {Path: "b.yaml"}}
	out := CheckOutput(eval(r, rule("x", policies.SeverityInfo, policies.StatusPass)), Facts{})
	if len(out.Annotations) != 2 {
		t.Fatalf("annotations %+v", out.Annotations)
	}
	a := out.Annotations[0]
	if a.Path != "catalog-info.yaml" || a.StartLine != 4 || a.Level != "warning" || out.Annotations[1].StartLine != 1 {
		t.Fatalf("annotation %+v, %+v", a, out.Annotations[1])
	}
}

func TestCommentEscapesRepositoryText(t *testing.T) {
	r := rule("catalog.owner", policies.SeverityError, policies.StatusFail)
	r.Message = "owner @acme/payments | <script>alert(1)</script>\nsecond line"
	r.Remediation = "Add `spec.owner` to the catalog of payments."
	body := CommentBody(eval(r), Facts{})
	for _, bad := range []string{"@acme/payments", "<script>", "| <"} {
		if strings.Contains(body, bad) {
			t.Fatalf("comment contains %q unescaped:\n%s", bad, body)
		}
	}
	for _, want := range []string{CommentMarker, "catalog.owner", "&lt;script&gt;", "catalog of payments."} {
		if !strings.Contains(body, want) {
			t.Fatalf("comment lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "second line") {
		t.Fatal("only a message's first line belongs in the table")
	}
}

func TestCommentScoreChangeAndAllClear(t *testing.T) {
	base := eval(rule("a", policies.SeverityError, policies.StatusFail), rule("b", policies.SeverityError, policies.StatusFail))
	head := eval(rule("a", policies.SeverityError, policies.StatusPass), rule("b", policies.SeverityError, policies.StatusPass))
	body := CommentBody(head, Facts{Base: base})
	if !strings.Contains(body, "all 2 rules pass") || !strings.Contains(body, "breaks 0 rules and fixes 2 rules") {
		t.Fatalf("all-clear comment:\n%s", body)
	}
	if NeedsComment(head) {
		t.Fatal("a passing evaluation needs no new comment")
	}
	if !NeedsComment(base) {
		t.Fatal("an error rule failing needs a comment")
	}
	if NeedsComment(eval(rule("i", policies.SeverityInfo, policies.StatusFail))) {
		t.Fatal("an info rule alone does not open a comment")
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./server/checks -update creates it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./server/checks -update rewrites it); got:\n%s", path, got)
	}
}

// realistic is a pull request head against its base: every severity fails, one
// rule could not run, the pull request breaks one rule and fixes another, and the
// repository's text is hostile.
func realistic() (base, head *policies.Evaluation) {
	const e, w, i = policies.SeverityError, policies.SeverityWarning, policies.SeverityInfo
	pass, fail := policies.StatusPass, policies.StatusFail
	r := func(id string, sev policies.Severity, st policies.Status, msg string) policies.Result {
		res := rule(id, sev, st)
		res.Message = msg
		return res
	}
	slo := r("measurement.slo", i, fail, "no SLO: files named *slo*.yaml or __slo__ dirs, see https://openslo.com")
	owner := r("catalog.owner", e, fail, "spec.owner is @acme/payments-team <script>alert(1)</script> | not a group")
	owner.Files = []policies.FileRef{{Path: "catalog-info.yaml", Line: 7}}
	owner.Remediation = "Set `spec.owner` in the catalog of pay_ments."
	head = eval(
		slo,
		r("docs.readme", w, fail, "README.md has 3 lines; a README explains what {{repository}} is"),
		owner,
		r("iac.present", e, policies.StatusError, "evaluation timed out"),
		r("ci.present", e, pass, "GitHub Actions workflow found"),
		r("security.policy", w, pass, "SECURITY.md found"),
	)
	head.ComponentType = "service"
	base = eval(
		r("measurement.slo", i, fail, ""),
		r("docs.readme", w, pass, ""),
		r("catalog.owner", e, fail, ""),
		r("iac.present", e, pass, ""),
		r("ci.present", e, fail, ""),
		r("security.policy", w, pass, ""),
	)
	return base, head
}

func TestGoldenComment(t *testing.T) {
	base, head := realistic()
	golden(t, "comment.md", CommentBody(head, Facts{Base: base}))
	golden(t, "comment-no-base.md", CommentBody(head, Facts{Blocking: true}))
}

func TestGoldenCheckRun(t *testing.T) {
	base, head := realistic()
	out := CheckOutput(head, Facts{Base: base, DetailsURL: "https://github.com/acme/.github/issues/1"})
	golden(t, "check-summary.md", out.Summary)
	golden(t, "check-text.md", out.Text)
	if out.DetailsURL != "https://github.com/acme/.github/issues/1" {
		t.Fatalf("details URL %q", out.DetailsURL)
	}
}

// TestFailuresMostSevereFirst: error before warning before info; a rule that could
// not run after the failures of its severity.
func TestFailuresMostSevereFirst(t *testing.T) {
	_, head := realistic()
	var got []string
	for _, r := range failures(head) {
		got = append(got, r.Rule)
	}
	if want := "catalog.owner iac.present docs.readme measurement.slo"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	body := CommentBody(head, Facts{})
	if strings.Index(body, "catalog.owner") > strings.Index(body, "measurement.slo") {
		t.Fatalf("comment lists info before error:\n%s", body)
	}
}

func TestChangeAgainstBase(t *testing.T) {
	base, head := realistic()
	c := changeOf(base, head)
	if len(c.breaks) != 2 || c.breaks[0].Rule != "iac.present" || c.breaks[1].Rule != "docs.readme" {
		t.Fatalf("breaks %+v", c.breaks)
	}
	if len(c.fixes) != 1 || c.fixes[0].Rule != "ci.present" {
		t.Fatalf("fixes %+v", c.fixes)
	}
	if c := changeOf(nil, head); len(c.breaks)+len(c.fixes) != 0 {
		t.Fatal("without a base nothing is a change")
	}
}

// TestGeneratedFixesReplaceTheTemplate: a failing rule with files generated for
// this repository shows them, fenced so that their content cannot close the block;
// a rule without shows its remediation.
func TestGeneratedFixesReplaceTheTemplate(t *testing.T) {
	owner := rule("catalog.present", policies.SeverityError, policies.StatusFail)
	owner.Remediation = "Paste a catalog naming payments-api."
	readme := rule("docs.readme", policies.SeverityWarning, policies.StatusFail)
	readme.Remediation = "Write a README for ledger."
	f := Facts{Fixes: []fix.File{
		{Path: "catalog-info.yaml", Rule: "catalog.present", Content: []byte("metadata:\n  name: ledger\n  description: \"uses ``` fences\"\n")},
	}}
	for name, body := range map[string]string{"comment": CommentBody(eval(owner, readme), f), "check": CheckOutput(eval(owner, readme), f).Text} {
		for _, want := range []string{"`catalog-info.yaml`\n\n````yaml\nmetadata:\n  name: ledger\n", "uses ``` fences\"\n````\n", "Write a README for ledger."} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, body)
			}
		}
		if strings.Contains(body, "payments-api") {
			t.Errorf("%s shows the generic template beside the generated file:\n%s", name, body)
		}
	}
}

// realisticComponents is a monorepo pull request: a repository rule fails, the
// root component api and the component web fail component rules, and the pull
// request breaks docs.readme in web only.
func realisticComponents() (base, head *policies.Evaluation) {
	const e, w, i = policies.SeverityError, policies.SeverityWarning, policies.SeverityInfo
	pass, fail := policies.StatusPass, policies.StatusFail
	r := func(id string, sev policies.Severity, st policies.Status, scope, msg string) policies.Result {
		res := rule(id, sev, st)
		res.Scope, res.Message = scope, msg
		return res
	}
	const repo, comp = policies.ScopeRepository, policies.ScopeComponent
	component := func(name, path string, results ...policies.Result) policies.Component {
		return policies.Component{Name: name, Path: path, Type: "service", Results: results, Summary: policies.Summarize(results)}
	}
	build := func(readmeWeb policies.Status) *policies.Evaluation {
		api := component("api", ".",
			r("catalog.owner", e, fail, comp, "spec.owner is missing in catalog-info.yaml"),
			r("docs.readme", w, pass, comp, "README.md found"),
			r("measurement.slo", i, fail, comp, "no SLO for *api*"))
		web := component("web_app", "apps/web",
			r("catalog.owner", e, pass, comp, "owned by group:web"),
			r("docs.readme", w, readmeWeb, comp, "apps/web/README.md has 2 lines"),
			r("measurement.slo", i, fail, comp, "no SLO for web"))
		docs := component("docs", "docs",
			r("catalog.owner", e, pass, comp, "owned by group:docs"),
			r("docs.readme", w, pass, comp, "README.md found"),
			r("measurement.slo", i, policies.StatusSkip, comp, "not applicable to documentation"))
		readme := r("docs.readme", w, readmeWeb, comp, "component web_app: apps/web/README.md has 2 lines")
		ev := eval(
			r("ci.pinned_actions", w, fail, repo, "actions/checkout@v4 is not pinned to a commit"),
			r("catalog.owner", e, fail, comp, "component api: spec.owner is missing"),
			readme,
			r("measurement.slo", i, fail, comp, "components api, web_app: no SLO"),
		)
		// The repository's own listing has web_app (the changed one) after api.
		ev.Components = []policies.Component{api, docs, web}
		return ev
	}
	return build(pass), build(fail)
}

func TestGoldenComponents(t *testing.T) {
	base, head := realisticComponents()
	golden(t, "comment-components.md", CommentBody(head, Facts{Base: base}))
	golden(t, "check-text-components.md", CheckOutput(head, Facts{Base: base}).Text)

	var headings []string
	for _, g := range failureGroups(base, head) {
		headings = append(headings, g.heading)
	}
	want := []string{"Repository", "Component `web_app` in `apps/web` (changed by this pull request)", "Component `api` in `.`"}
	if strings.Join(headings, "|") != strings.Join(want, "|") {
		t.Errorf("groups %q, want %q (repository rules, then the changed component, no group for one that passes)", headings, want)
	}
	// Without a base nothing is changed: the components keep their order.
	var order []string
	for _, g := range failureGroups(nil, head) {
		order = append(order, g.heading)
	}
	if want := []string{"Repository", "Component `api` in `.`", "Component `web_app` in `apps/web`"}; strings.Join(order, "|") != strings.Join(want, "|") {
		t.Errorf("groups without a base %q, want %q", order, want)
	}
	// One component: no groups, as before.
	_, single := realistic()
	if g := failureGroups(nil, single); len(g) != 1 || g[0].heading != "" {
		t.Errorf("a one-component repository is grouped: %+v", g)
	}
}
