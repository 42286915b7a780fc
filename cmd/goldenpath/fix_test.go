package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/goldenpath/goldenpath/policies"
)

// findCorpus finds the snapshots of real public repositories (shared test data,
// never copied into the project): shared/ref/corpus beside the checkout or one of
// its parents, so that a git worktree finds it too.
func findCorpus() string {
	dir, _ := filepath.Abs(".")
	for {
		c := filepath.Join(dir, "shared", "ref", "corpus")
		if _, err := os.Stat(c); err == nil {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "../../../shared/ref/corpus"
		}
		dir = parent
	}
}

// TestFixCorpus runs `fix` then `check` on a checkout of every corpus repository:
// every rule that failed and got files now passes, no existing file changed, and
// every generated YAML file parses.
func TestFixCorpus(t *testing.T) {
	corpusDir := findCorpus()
	dirs, err := os.ReadDir(corpusDir)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("corpus of real repositories not found at %s (../shared is absent)", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "golden-path.yaml")
	if err := os.WriteFile(cfg, []byte("fixes:\n  owner: group:platform-team\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// One compiled engine for every repository: the rules are what is under test.
	env, err := loadLocalEnv(ctx, cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	check := func(dir string) *policies.Evaluation {
		t.Helper()
		l, err := env.open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := l.evaluate(ctx, l.snap)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	fixed := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			dir := corpusCheckout(t, corpusDir, d.Name())
			before := fileHashes(t, dir)
			evBefore := check(dir)
			var out bytes.Buffer
			if err := runFix(ctx, &out, env, dir, nil, false); err != nil && exitCode(err) != 1 {
				t.Fatalf("fix: %v", err)
			}
			after := fileHashes(t, dir)
			for p, h := range before {
				if after[p] != h {
					t.Errorf("existing file %s changed", p)
				}
			}
			evAfter := check(dir)
			added := map[string]string{} // path -> rule, from the "added PATH (RULE)" lines
			for _, line := range strings.Split(out.String(), "\n") {
				if rest, ok := strings.CutPrefix(line, "added "); ok {
					p, rule, _ := strings.Cut(rest, " (")
					added[p] = strings.TrimSuffix(rule, ")")
				}
			}
			for p, rule := range added {
				if _, existed := before[p]; existed {
					t.Errorf("fix wrote %s, which existed", p)
				}
				if status(evBefore, rule) != policies.StatusFail {
					t.Errorf("fix wrote %s for %s, which was %s", p, rule, status(evBefore, rule))
				}
				if st := status(evAfter, rule); st != policies.StatusPass {
					t.Errorf("after fix, %s is %s: %s", rule, st, message(evAfter, rule))
				}
				if strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml") {
					var v any
					if err := yaml.Unmarshal(readFile(t, filepath.Join(dir, p)), &v); err != nil {
						t.Errorf("generated %s does not parse: %v", p, err)
					}
				}
			}
			if _, ok := added["catalog-info.yaml"]; ok {
				if st := status(evAfter, "catalog.valid"); st != policies.StatusPass {
					t.Errorf("generated catalog-info.yaml: catalog.valid is %s: %s", st, message(evAfter, "catalog.valid"))
				}
				fixed++
			}
			t.Logf("%s", out.String())
		})
	}
	if fixed == 0 {
		t.Fatal("no corpus repository got a catalog-info.yaml: the test proves nothing")
	}
}

// corpusCheckout writes a corpus repository's tree into a directory named after
// the repository: the copied key files with their content, every other file empty.
func corpusCheckout(t *testing.T, corpusDir, name string) string {
	t.Helper()
	src := filepath.Join(corpusDir, name)
	var tree struct {
		Tree []struct{ Path, Type string }
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(src, "tree.json")), &tree); err != nil {
		t.Fatal(err)
	}
	owner, repo, _ := strings.Cut(name, "__")
	dir := filepath.Join(t.TempDir(), repo)
	for _, e := range tree.Tree {
		if e.Type != "blob" {
			continue
		}
		content, _ := os.ReadFile(filepath.Join(src, "files", filepath.FromSlash(e.Path)))
		full := filepath.Join(dir, filepath.FromSlash(e.Path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A git checkout with its GitHub remote, so the owner and name are the real ones.
	for _, args := range [][]string{{"init", "-q"}, {"remote", "add", "origin", "https://github.com/" + owner + "/" + repo + ".git"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	return dir
}

func fileHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(readFile(t, p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return -1
}

func status(ev *policies.Evaluation, rule string) policies.Status {
	for _, r := range ev.Results {
		if r.Rule == rule {
			return r.Status
		}
	}
	return ""
}

func message(ev *policies.Evaluation, rule string) string {
	for _, r := range ev.Results {
		if r.Rule == rule {
			return r.Message
		}
	}
	return ""
}

// TestFixCommand runs `goldenpath fix` as a real process on a small checkout: a
// dry run writes nothing and prints a diff, a run writes the files once, and a
// second run keeps them.
func TestFixCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "payments")
	for p, c := range map[string]string{
		"package.json": "{}\n", "CODEOWNERS": "* @acme/payments\n", ".github/workflows/ci.yml": "on: push\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		args     []string
		wantCode int
		wantFile bool
	}{
		{[]string{"fix", dir, "--dry-run"}, 0, false},
		{[]string{"fix", dir, "--rule", "no.such"}, 2, false},
		{[]string{"fix", dir, "--rule", "security.policy"}, 1, false}, // catalog.present still fails
		{[]string{"fix", dir}, 0, true},
		{[]string{"fix", dir}, 0, true},
	}
	for _, s := range steps {
		code, stderr := runGoldenpath(t, s.args...)
		if code != s.wantCode {
			t.Fatalf("%v: exit %d, want %d; stderr %q", s.args, code, s.wantCode, stderr)
		}
		_, err := os.Stat(filepath.Join(dir, "catalog-info.yaml"))
		if (err == nil) != s.wantFile {
			t.Fatalf("%v: catalog-info.yaml exists: %v, want %v", s.args, err == nil, s.wantFile)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "SECURITY.md")); err != nil {
		t.Fatalf("--rule security.policy wrote no SECURITY.md: %v", err)
	}
	var catalog struct {
		Spec struct{ Owner string }
	}
	if err := yaml.Unmarshal(readFile(t, filepath.Join(dir, "catalog-info.yaml")), &catalog); err != nil || catalog.Spec.Owner != "group:payments" {
		t.Fatalf("catalog owner %q (%v), want group:payments from CODEOWNERS", catalog.Spec.Owner, err)
	}
	if got := readFile(t, filepath.Join(dir, "CODEOWNERS")); string(got) != "* @acme/payments\n" {
		t.Fatalf("CODEOWNERS changed: %q", got)
	}
}
