package localrepo

import (
	"github.com/goldenpath/goldenpath/policies"

	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func paths(t *testing.T, d *Dir) []string {
	t.Helper()
	entries, _ := d.Entries(context.Background())
	var out []string
	for _, e := range entries {
		out = append(out, e.Path)
	}
	slices.Sort(out)
	return out
}

func TestOpenPlainDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "README.md", "# hi\n")
	write(t, dir, ".git/config", "not a real repo")
	write(t, dir, "docs/a\nb.md", "newline in name")
	write(t, dir, "@org/team<script>.md", "hostile name")
	if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(dir, "docs", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
		t.Fatal(err)
	}
	d, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got := paths(t, d)
	want := []string{"@org/team<script>.md", "README.md", "docs/a\nb.md", "docs/up", "loop", "passwd"}
	if !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	files, _ := d.Read(context.Background(), []string{"passwd", "docs/a\nb.md", "missing"})
	if string(files["passwd"]) != "/etc/passwd" {
		t.Fatalf("a symlink must read as its target, got %q", files["passwd"])
	}
	if string(files["docs/a\nb.md"]) != "newline in name" {
		t.Fatalf("hostile name not read: %q", files["docs/a\nb.md"])
	}
	if _, ok := files["missing"]; ok {
		t.Fatal("a missing path must be left out")
	}
}

func TestOpenGitCheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	write(t, dir, "README.md", "hello\n")
	write(t, dir, ".gitignore", "build/\n")
	write(t, dir, "build/out.bin", "ignored")
	git("add", "README.md", ".gitignore")
	git("commit", "-qm", "init")
	write(t, dir, "catalog-info.yaml", "kind: Component\n") // untracked, not ignored
	git("remote", "add", "origin", "git@github.com:acme/payments.git")
	d, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := paths(t, d), []string{".gitignore", "README.md", "catalog-info.yaml"}; !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	entries, _ := d.Entries(context.Background())
	for _, e := range entries {
		if e.Path == "README.md" && e.SHA != "ce013625030ba8dba906f756967f9e9ca394464a" {
			t.Fatalf("README.md sha %s, want git's blob sha", e.SHA)
		}
	}
	if r := d.Repository(context.Background()); r.Owner != "acme" || r.Name != "payments" {
		t.Fatalf("repository %+v, want acme/payments", r)
	}
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	write(t, filepath.Dir(file), "f", "x")
	tests := []struct{ dir, want string }{
		{filepath.Join(t.TempDir(), "missing"), "no such file"},
		{file, "not a directory"},
	}
	for _, tt := range tests {
		_, err := Open(context.Background(), tt.dir)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Count(err.Error(), "\n") > 0 {
			t.Fatalf("Open(%s) = %v, want one line containing %q", tt.dir, err, tt.want)
		}
	}
}

func TestHugeFileIsNotReadWhole(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "huge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	d, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := d.Entries(context.Background())
	if len(entries) != 1 || entries[0].Size != 100<<20 {
		t.Fatalf("entries %+v", entries)
	}
	files, _ := d.Read(context.Background(), []string{"huge.yaml"})
	if n := len(files["huge.yaml"]); n != maxRead {
		t.Fatalf("read %d bytes, want the cap %d", n, maxRead)
	}
}

func TestOwnerAndName(t *testing.T) {
	tests := []struct{ url, owner, name string }{
		{"git@github.com:acme/payments.git", "acme", "payments"},
		{"https://github.com/acme/payments", "acme", "payments"},
		{"https://github.example.com/acme/payments.git/", "acme", "payments"},
		{"ssh://git@github.com/acme/payments.git", "acme", "payments"},
		{"/srv/repos/payments", "repos", "payments"},
	}
	for _, tt := range tests {
		o, n, ok := ownerAndName(tt.url)
		if !ok || o != tt.owner || n != tt.name {
			t.Errorf("ownerAndName(%q) = %q %q %v", tt.url, o, n, ok)
		}
	}
	if _, _, ok := ownerAndName("payments"); ok {
		t.Error("a bare name has no owner")
	}
}

func TestUnreadableDirectoryMakesThePartialListing(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a directory whatever its mode")
	}
	dir := t.TempDir()
	write(t, dir, "README.md", "# hi\n")
	write(t, dir, "secret/CODEOWNERS", "* @acme/x\n")
	if err := os.Chmod(filepath.Join(dir, "secret"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "secret"), 0o755) })
	d, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.PartialReason(), "listed 1 paths: could not read secret"; got != want {
		t.Errorf("partial reason %q, want %q", got, want)
	}
	var _ policies.Partial = d
}
