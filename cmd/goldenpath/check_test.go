package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigRuleIDs runs `goldenpath check --config` as a real process: a rule
// ID that no bundled or custom rule has is an input error (exit 2) naming its line.
func TestCheckConfigRuleIDs(t *testing.T) {
	const customRule = `# METADATA
# title: Ops owner
# custom:
#   aspect: operations
#   level: 1
#   severity: info
package goldenpath.custom.ops

deny contains "never" if false
`
	tests := []struct {
		name     string
		config   string
		policies bool
		wantErr  string // the one stderr line of an input error (exit 2); "" = none
	}{
		{"known IDs", "rules:\n  disable: [docs.techdocs]\n  severity: {catalog.owner: error}\n", false, ""},
		{"misspelt disable", "rules:\n  disable:\n    - docs.techdocs\n    - docs.readmee\n", false, `golden-path.yaml:4: rules.disable[1]: no rule has the ID "docs.readmee"`},
		{"misspelt severity", "rules:\n  severity:\n    catalog.ownr: error\n", false, `golden-path.yaml:3:`},
		{"misspelt exemption", "exemptions:\n  - repositories: [\"*\"]\n    rules: [iac.presnt]\n    reason: r\n", false, `golden-path.yaml:3:`},
		{"custom ID without its policies", "rules:\n  disable: [custom.ops]\n", false, `"custom.ops"`},
		{"custom ID with its policies", "rules:\n  disable: [custom.ops]\n", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			repo := filepath.Join(dir, "repo")
			pol := filepath.Join(dir, "policies")
			for path, content := range map[string]string{
				filepath.Join(repo, "README.md"):       "# demo\n",
				filepath.Join(dir, "golden-path.yaml"): tt.config,
				filepath.Join(pol, "ops.rego"):         customRule,
			} {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"check", repo, "--config", filepath.Join(dir, "golden-path.yaml")}
			if tt.policies {
				args = append(args, "--policies", pol)
			}
			code, stderr := runGoldenpath(t, args...)
			// Exit 0 or 1 is the verdict on the checkout; 2 is an input error.
			if inputError := code == 2; inputError != (tt.wantErr != "") {
				t.Fatalf("exit code %d, want an input error: %v; stderr: %s", code, tt.wantErr != "", stderr)
			}
			if tt.wantErr == "" && stderr != "" || !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("stderr %q, want it to hold %q", stderr, tt.wantErr)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines > 0 {
				t.Fatalf("stderr must be one line, got %q", stderr)
			}
		})
	}
}

// runGoldenpath runs the test binary as the goldenpath binary (see TestMain).
func runGoldenpath(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("run goldenpath %v: %v", args, err)
	return 0, ""
}

// TestCheckBrokenCustomRules: a --policies module that does not compile, or sits
// outside goldenpath.custom., is an input error naming its file and line; the
// server reports such a module and runs the rest, but locally its author fixes it.
func TestCheckBrokenCustomRules(t *testing.T) {
	tests := []struct {
		name, module, wantErr string
	}{
		{"compiles", "# METADATA\n# title: x\n# custom:\n#   aspect: operations\n#   level: 1\n#   severity: info\npackage goldenpath.custom.x\n\ndeny contains \"never\" if false\n", ""},
		{"metadata incomplete", "# METADATA\n# title: x\npackage goldenpath.custom.x\n\ndeny contains \"never\" if false\n", "x.rego:3: rule custom.x: custom.aspect must be one of"},
		{"syntax error", "# METADATA\n# title: x\npackage goldenpath.custom.x\n\ndeny contains msg if {\n\tmsg := \n}\n", "x.rego:7: "},
		{"outside the custom prefix", "package evil\n\ndeny contains \"x\" if true\n", "x.rego:1: package evil is not allowed"},
		{"removed builtin", "package goldenpath.custom.x\n\ndeny contains r.body if { r := http.send({\"method\": \"get\", \"url\": \"http://x\"}) }\n", "x.rego:3: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "x.rego"), []byte(tt.module), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stderr := runGoldenpath(t, "check", dir, "--policies", dir, "--format", "json")
			if inputError := code == 2; inputError != (tt.wantErr != "") {
				t.Fatalf("exit code %d, want an input error: %v; stderr: %s", code, tt.wantErr != "", stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Fatalf("stderr %q, want one line holding %q", stderr, tt.wantErr)
			}
		})
	}
}

// TestCheckSaysWhenTheFileLimitCutTheEvaluation: past the engine's 500 files
// read, `check` marks its output partial; a rule whose files were all read is
// judged as usual.
func TestCheckSaysWhenTheFileLimitCutTheEvaluation(t *testing.T) {
	dir := t.TempDir()
	for i := range 501 {
		p := filepath.Join(dir, "slos", fmt.Sprintf("service-%03d-slo.yaml", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("objective: 99.9\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "check", dir, "--format", "json")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	var ev struct {
		Partial string `json:"partial"`
		Results []struct {
			Rule, Status string
			NotJudged    bool `json:"not_judged"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	if want := "read 500 of 501 files rules read: file limit of 500 reached"; ev.Partial != want {
		t.Errorf("partial = %q, want %q", ev.Partial, want)
	}
	for _, r := range ev.Results {
		if r.Rule == "docs.readme" && (r.Status != "fail" || r.NotJudged) {
			t.Errorf("docs.readme: %s (not judged %v): its files were all read, want fail", r.Status, r.NotJudged)
		}
	}
}
