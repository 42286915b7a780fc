package config

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// parseBounded parses src as an org file and fails the test unless it is
// rejected with an *Error quickly and without allocating much.
func parseBounded(t *testing.T, src string, wantMsg string) {
	t.Helper()
	if len(src) > MaxFileSize {
		t.Fatalf("test input is %d bytes, over the size limit; it would not exercise the parser", len(src))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := ParseOrg(orgFile, []byte(src))
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ParseOrg did not return within 10s")
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *config.Error", err)
	}
	if !strings.Contains(err.Error(), wantMsg) {
		t.Errorf("error %q does not contain %q", err, wantMsg)
	}
	// Normally well under a second; the margin is for -race on a busy machine.
	if elapsed > 5*time.Second {
		t.Errorf("rejecting took %s", elapsed)
	}
	const budget = 64 << 20
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > budget {
		t.Errorf("rejecting allocated %d MiB, budget %d MiB", allocated>>20, budget>>20)
	}
}

func TestAliasBombs(t *testing.T) {
	t.Run("billion laughs", func(t *testing.T) {
		// Ten levels of ten aliases each: 10^10 nodes once expanded.
		var b strings.Builder
		b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
		for i := 1; i < 10; i++ {
			fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
		}
		parseBounded(t, b.String(), "expands to more than")
	})
	t.Run("billion laughs under a valid key", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("policies: {path: &a0 lol}\nexemptions:\n")
		for i := 1; i < 10; i++ {
			fmt.Fprintf(&b, "  - &a%d [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
		}
		parseBounded(t, b.String(), "expands to more than")
	})
	t.Run("well-typed amplification", func(t *testing.T) {
		// Every alias is a valid value here, so type checks cannot stop
		// it: 4,000 exemptions sharing one 30,000-glob list would decode
		// 120 million strings.
		var b strings.Builder
		b.WriteString("exemptions:\n  - repositories: &r [")
		b.WriteString(strings.TrimSuffix(strings.Repeat("a,", 30000), ","))
		b.WriteString("]\n    rules: [x]\n    reason: r\n")
		for range 4000 {
			b.WriteString("  - {repositories: *r, rules: [x], reason: r}\n")
		}
		parseBounded(t, b.String(), "expands to more than")
	})
	t.Run("deep nesting", func(t *testing.T) {
		parseBounded(t, "ignore_repositories: "+strings.Repeat("[", 100000), "exceeded max depth")
	})
	t.Run("self-reference", func(t *testing.T) {
		parseBounded(t, "exemptions: &e [{repositories: [a], rules: [x], reason: r}, *e]\n", "refers to the node that contains it")
	})
}

func TestModerateAliasUseIsAccepted(t *testing.T) {
	// 200 exemptions sharing a 200-glob list: 40,000 nodes, well within
	// what a file without aliases could hold.
	var b strings.Builder
	b.WriteString("exemptions:\n  - repositories: &r [")
	b.WriteString(strings.TrimSuffix(strings.Repeat("a-*,", 200), ","))
	b.WriteString("]\n    rules: [x]\n    reason: r\n")
	for range 199 {
		b.WriteString("  - {repositories: *r, rules: [x], reason: r}\n")
	}
	o, err := ParseOrg(orgFile, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Exemptions) != 200 || len(o.Exemptions[199].Repositories) != 200 {
		t.Errorf("got %d exemptions", len(o.Exemptions))
	}
}

func TestFileSizeLimit(t *testing.T) {
	fill := func(n int) []byte { // a comment of exactly n bytes
		return []byte("#" + strings.Repeat("x", n-2) + "\n")
	}
	if _, err := ParseOrg(orgFile, fill(MaxFileSize)); err != nil {
		t.Errorf("a file of exactly %d bytes: %v", MaxFileSize, err)
	}
	_, err := ParseOrg(orgFile, fill(MaxFileSize+1))
	want := "golden-path.yaml: file is 262145 bytes, more than the 256 KiB allowed"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, err := ParseRepoOverride("r.yaml", fill(MaxFileSize+1)); err == nil {
		t.Error("ParseRepoOverride accepted an oversized file")
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "golden-path.yaml", Line: 12, Column: 3, Message: `unknown key "enforcment"`}, `golden-path.yaml:12: unknown key "enforcment"`},
		{Error{File: "golden-path.yaml", Message: "too big"}, "golden-path.yaml: too big"},
		{Error{Line: 4, Message: "bad"}, "line 4: bad"},
		{Error{Message: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestPathString(t *testing.T) {
	tests := []struct {
		path []any
		want string
	}{
		{at("threshold"), "threshold"},
		{at("exemptions", 2, "reason"), "exemptions[2].reason"},
		{at("rules", "severity", "catalog.owner"), `rules.severity["catalog.owner"]`},
		{at(), ""},
	}
	for _, tt := range tests {
		if got := pathString(tt.path); got != tt.want {
			t.Errorf("pathString(%v) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
