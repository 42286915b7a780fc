package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/creack/pty"
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

// TestCheckFailOnQuietExitZero runs `goldenpath check` as a real process on a
// checkout whose error-severity failures the config re-rates to warning: the
// exit status follows --fail-on and --exit-zero, and the text verdict, last,
// says the same.
func TestCheckFailOnQuietExitZero(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "README.md"), []byte("# demo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := runCheck(t, repo, "--format", "json")
	var ev struct {
		Results []struct{ Rule, Severity, Status string } `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	config := "rules:\n  severity:\n"
	for _, r := range ev.Results {
		if r.Status == "fail" && r.Severity == "error" {
			config += "    " + r.Rule + ": warning\n"
		}
	}
	if code != 1 || !strings.Contains(config, ": warning") {
		t.Fatalf("exit %d on a README-only checkout with config %q; want 1 and some error rule failing", code, config)
	}
	cfg := filepath.Join(dir, "golden-path.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantEnd  string // how the text output ends
	}{
		{"default fails on error only", nil, 0, "Exit status 0."},
		{"fail on warning", []string{"--fail-on", "warning"}, 1, "Exit status 1."},
		{"fail on info", []string{"--fail-on", "info"}, 1, "Exit status 1."},
		{"exit zero", []string{"--fail-on", "warning", "--exit-zero"}, 0, "Exit status 0 (--exit-zero)."},
		{"quiet", []string{"--fail-on", "warning", "--quiet"}, 1, "Exit status 1."},
		{"unknown severity", []string{"--fail-on", "critical"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runCheck(t, append([]string{repo, "--config", cfg}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, out)
			}
			// The verdict is last, wrapped like any text.
			if !strings.HasSuffix(strings.Join(strings.Fields(out), " "), tt.wantEnd) {
				t.Errorf("output does not end with %q:\n%s", tt.wantEnd, out)
			}
			if quiet := slices.Contains(tt.args, "--quiet"); quiet == strings.Contains(out, "By aspect") && tt.wantEnd != "" {
				t.Errorf("--quiet %v, but the aspect summary shown is %v:\n%s", quiet, !quiet, out)
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("colour written to a pipe:\n%q", out)
			}
		})
	}
}

// runCheck runs `goldenpath check ARGS` and returns its stdout and exit status.
func runCheck(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"check"}, args...)...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("run goldenpath check %v: %v", args, err)
	return "", 0
}

func TestColorOutput(t *testing.T) {
	pipe, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	defer w.Close()
	tty := func(uintptr) bool { return true }
	notTTY := func(uintptr) bool { return false }
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	tests := []struct {
		name string
		out  io.Writer
		env  map[string]string
		tty  func(uintptr) bool
		want bool
	}{
		{"terminal", w, nil, tty, true},
		{"terminal with TERM", w, map[string]string{"TERM": "xterm-256color"}, tty, true},
		{"pipe or file", w, nil, notTTY, false},
		{"not a file", &bytes.Buffer{}, nil, tty, false},
		{"NO_COLOR", w, map[string]string{"NO_COLOR": "1"}, tty, false},
		{"NO_COLOR=0 still means no colour", w, map[string]string{"NO_COLOR": "0"}, tty, false},
		{"empty NO_COLOR is unset", w, map[string]string{"NO_COLOR": ""}, tty, true},
		{"dumb terminal", w, map[string]string{"TERM": "dumb"}, tty, false},
	}
	for _, tt := range tests {
		if got := colorOutput(tt.out, env(tt.env), tt.tty); got != tt.want {
			t.Errorf("%s: colorOutput = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestCheckColourOnARealTerminal runs `goldenpath check` with its standard
// output on a pseudo-terminal: coloured, unless NO_COLOR is set.
func TestCheckColourOnARealTerminal(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# demo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		noColor string
		want    bool
	}{{"", true}, {"1", false}} {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		cmd := exec.Command(os.Args[0], "check", dir)
		cmd.Env = append(os.Environ(), runMainEnv+"=1", "NO_COLOR="+tt.noColor, "TERM=xterm")
		cmd.Stdout = tty
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.Close()
		// Reading the terminal ends with an error (EIO) once the process has closed it.
		out, _ := io.ReadAll(ptmx)
		ptmx.Close()
		_ = cmd.Wait()
		if got := bytes.Contains(out, []byte("\x1b[")); got != tt.want {
			t.Errorf("NO_COLOR=%q: coloured %v, want %v:\n%q", tt.noColor, got, tt.want, out)
		}
		if !bytes.Contains(out, []byte("FAIL")) {
			t.Errorf("NO_COLOR=%q: no verdict on the terminal:\n%q", tt.noColor, out)
		}
	}
}
