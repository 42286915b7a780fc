package checks

import (
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
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
	r.Remediation = "Add `spec.owner` to the catalog of {{repository}}."
	body := CommentBody(eval(r), Facts{Repository: "acme/payments"})
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
	if !strings.Contains(body, "all 2 rules pass") || !strings.Contains(body, "from 0/2 to 2/2") {
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
