package policies

import (
	"strings"
	"testing"
)

func TestSeverityAtLeast(t *testing.T) {
	tests := []struct {
		s, min Severity
		want   bool
	}{
		{SeverityError, SeverityError, true},
		{SeverityWarning, SeverityError, false},
		{SeverityInfo, SeverityError, false},
		{SeverityError, SeverityWarning, true},
		{SeverityWarning, SeverityWarning, true},
		{SeverityInfo, SeverityWarning, false},
		{SeverityError, SeverityInfo, true},
		{SeverityInfo, SeverityInfo, true},
		{"", SeverityInfo, false},
		{"critical", SeverityInfo, false},
		{SeverityError, "critical", false},
	}
	for _, tt := range tests {
		if got := tt.s.AtLeast(tt.min); got != tt.want {
			t.Errorf("%q.AtLeast(%q) = %v, want %v", tt.s, tt.min, got, tt.want)
		}
	}
}

func TestFailingAt(t *testing.T) {
	ev := &Evaluation{Results: []Result{
		{Rule: "e.pass", Severity: SeverityError, Status: StatusPass},
		{Rule: "e.fail", Severity: SeverityError, Status: StatusFail},
		{Rule: "e.error", Severity: SeverityError, Status: StatusError},
		{Rule: "w.fail", Severity: SeverityWarning, Status: StatusFail},
		{Rule: "w.skip", Severity: SeverityWarning, Status: StatusSkip},
		{Rule: "i.fail", Severity: SeverityInfo, Status: StatusFail},
	}}
	for min, want := range map[Severity]string{
		SeverityError:   "e.fail",
		SeverityWarning: "e.fail w.fail",
		SeverityInfo:    "e.fail w.fail i.fail",
	} {
		var got []string
		for _, r := range ev.FailingAt(min) {
			got = append(got, r.Rule)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("FailingAt(%s) = %v, want %s", min, got, want)
		}
	}
	if !ev.Failed() {
		t.Error("Failed() = false with a failing error rule")
	}
	ev.Results[1].Status = StatusPass
	if ev.Failed() {
		t.Error("Failed() = true with only warning and info failures and an errored rule")
	}
}
