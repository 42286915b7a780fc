package githubfake_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

func TestBlobSHAMatchesGit(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"empty", "", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"},
		{"hello", "hello\n", "ce013625030ba8dba906f756967f9e9ca394464a"},
		{"no newline", "what is up, doc?", "bd9dbf5aae1a3862dd1526723246b20206e5fc37"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := githubfake.BlobSHA(tt.content); got != tt.want {
				t.Errorf("BlobSHA(%q) = %s, want %s", tt.content, got, tt.want)
			}
		})
	}
}

// gitSnapshot commits files with the real git and returns the tree and commit
// SHAs, using the author, committer and date the fake uses for its first commit.
func gitSnapshot(t *testing.T, files map[string]string, message string) (tree, commit string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(),
			"GIT_AUTHOR_NAME=Monalisa Octocat", "GIT_AUTHOR_EMAIL=octocat@github.com", "GIT_AUTHOR_DATE=1704110460 +0000",
			"GIT_COMMITTER_NAME=Monalisa Octocat", "GIT_COMMITTER_EMAIL=octocat@github.com", "GIT_COMMITTER_DATE=1704110460 +0000",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q")
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("add", "-A")
	tree = run("write-tree")
	commit = run("commit-tree", tree, "-m", message)
	return tree, commit
}

func TestCommitObjectsMatchGit(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"single file", map[string]string{"README.md": "# hi\n"}},
		{"empty file", map[string]string{"empty": ""}},
		// git sorts a directory as if its name ended in "/": "a-b" < "a/" < "a0".
		{"git sort order", map[string]string{"a/b": "x\n", "a-b": "y\n", "a0": "z\n", "a.txt": "w\n", "A": "upper\n"}},
		{"nested", map[string]string{"docs/adr/0001.md": "d\n", "docs/index.md": "i\n", ".github/golden-path.yaml": "owner: team\n", "z/y/x/w.txt": "deep\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantTree, wantCommit := gitSnapshot(t, tt.files, "Update main")
			f := githubfake.New(t)
			f.AddInstallation(testInstallation, testOrg)
			f.AddRepo(testOrg, "r")
			sha := f.Commit(testOrg, "r", "main", tt.files)
			if sha != wantCommit {
				t.Errorf("commit = %s, git says %s", sha, wantCommit)
			}
			client := installationClient(t, f, testInstallation)
			commit, _, err := client.Git.GetCommit(ctx, testOrg, "r", sha)
			if err != nil {
				t.Fatal(err)
			}
			if got := commit.GetTree().GetSHA(); got != wantTree {
				t.Errorf("tree = %s, git says %s", got, wantTree)
			}
			tree, _, err := client.Git.GetTree(ctx, testOrg, "r", sha, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tree.Entries {
				if e.GetType() != "blob" {
					if e.GetMode() != "040000" {
						t.Errorf("%s: tree mode %s, want 040000", e.GetPath(), e.GetMode())
					}
					continue
				}
				if want := githubfake.BlobSHA(tt.files[e.GetPath()]); e.GetSHA() != want || e.GetMode() != "100644" {
					t.Errorf("%s: sha %s mode %s, want %s 100644", e.GetPath(), e.GetSHA(), e.GetMode(), want)
				}
			}
		})
	}
}

func TestSecondCommitHasParent(t *testing.T) {
	w := newWorld(t)
	files := w.fake.Files(testOrg, "api", "main")
	files["new.txt"] = "new\n"
	delete(files, "docs/index.md")
	second := w.fake.Commit(testOrg, "api", "main", files)
	client := installationClient(t, w.fake, testInstallation)
	c, _, err := client.Git.GetCommit(ctx, testOrg, "api", second)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Parents) != 1 || c.Parents[0].GetSHA() != w.head || c.GetTree().GetSHA() != w.fake.TreeOf(testOrg, "api", second) {
		t.Fatalf("parents = %v, want [%s]", c.Parents, w.head)
	}
}

func TestTreeAndBlobEndpoints(t *testing.T) {
	w := newWorld(t)
	client := installationClient(t, w.fake, testInstallation)
	tree, _, err := client.Git.GetTree(ctx, testOrg, "api", "main", true)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range tree.Entries {
		paths = append(paths, e.GetPath())
	}
	want := "README.md catalog-info.yaml docs docs/adr docs/adr/0001.md docs/index.md"
	if got := strings.Join(paths, " "); got != want || tree.GetTruncated() {
		t.Fatalf("recursive tree = %q truncated=%v, want %q", got, tree.GetTruncated(), want)
	}

	blob, _, err := client.Git.GetBlob(ctx, testOrg, "api", githubfake.BlobSHA("# api\n"))
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(blob.GetContent(), "\n", ""))
	if err != nil || string(decoded) != "# api\n" || blob.GetEncoding() != "base64" || blob.GetSize() != 6 {
		t.Errorf("blob = %+v (%q, %v)", blob, decoded, err)
	}
	if _, _, err := client.Git.GetBlob(ctx, testOrg, "api", githubfake.BlobSHA("nope")); statusOf(err) != 404 {
		t.Errorf("unknown blob: %v, want 404", err)
	}
}

func TestBlobContentIsWrappedLikeGitHub(t *testing.T) {
	f := githubfake.New(t)
	f.AddInstallation(testInstallation, testOrg)
	f.AddRepo(testOrg, "r")
	content := strings.Repeat("0123456789", 20)
	f.Commit(testOrg, "r", "main", map[string]string{"big.txt": content})
	res := do(t, f, rawCall{path: "/repos/acme/r/git/blobs/" + githubfake.BlobSHA(content), auth: token(f, testInstallation)})
	got := res.json(t)["content"].(string)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if !strings.HasSuffix(got, "\n") || len(lines) != 5 || len(lines[0]) != 60 {
		t.Errorf("content lines = %d (first %d chars), want 60-char lines ending in a newline", len(lines), len(lines[0]))
	}
}

func TestRecursiveTreeIsCutLikeGitHub(t *testing.T) {
	w := newWorld(t)
	// The recursive listing, in git's order: 6 entries of about 200 bytes.
	full := "README.md catalog-info.yaml docs docs/adr docs/adr/0001.md docs/index.md"
	tests := []struct {
		name           string
		entries, bytes int
		recursive      bool
		want           string
		wantTruncated  bool
	}{
		{name: "within both limits", recursive: true, want: full},
		{name: "entry limit", entries: 4, recursive: true, want: "README.md catalog-info.yaml docs docs/adr", wantTruncated: true},
		{name: "byte limit", bytes: 700, recursive: true, want: "README.md catalog-info.yaml", wantTruncated: true},
		{name: "entry limit before byte limit", entries: 1, bytes: 700, recursive: true, want: "README.md", wantTruncated: true},
		{name: "a listing of one level is not cut", entries: 1, bytes: 300, want: "README.md catalog-info.yaml docs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.fake.SetTreeLimits(tt.entries, tt.bytes)
			path := "/repos/acme/api/git/trees/" + w.head
			if tt.recursive {
				path += "?recursive=1"
			}
			res := do(t, w.fake, rawCall{path: path, auth: token(w.fake, testInstallation)})
			var tree struct {
				SHA       string            `json:"sha"`
				Truncated *bool             `json:"truncated"`
				Tree      []json.RawMessage `json:"tree"`
			}
			if err := json.Unmarshal(res.body, &tree); err != nil || res.status != 200 || tree.Truncated == nil {
				t.Fatalf("GET %s = %d %s (%v)", path, res.status, res.body, err)
			}
			var paths []string
			for _, raw := range tree.Tree {
				var e struct{ Path string }
				json.Unmarshal(raw, &e)
				paths = append(paths, e.Path)
			}
			if got := strings.Join(paths, " "); got != tt.want || *tree.Truncated != tt.wantTruncated {
				t.Errorf("listing = %q truncated=%v, want %q truncated=%v", got, *tree.Truncated, tt.want, tt.wantTruncated)
			}
			if tt.bytes > 0 && tt.recursive && len(res.body) > tt.bytes {
				t.Errorf("body of %d bytes, above the %d-byte limit", len(res.body), tt.bytes)
			}
		})
	}
}

func TestGeneratedMonorepoPassesGitHubLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("commits 250,000 files")
	}
	shape := githubfake.MonorepoShape
	files := githubfake.GenerateFiles(shape)
	dirs := map[string]bool{}
	top := map[string]bool{}
	for p := range files {
		first, _, nested := strings.Cut(p, "/")
		if nested {
			top[first] = true
		}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	if len(files) != shape.Files || len(dirs) != shape.Dirs || len(top) != shape.TopDirs {
		t.Fatalf("generated %d files in %d directories (%d at the root), want %d in %d (%d)",
			len(files), len(dirs), len(top), shape.Files, shape.Dirs, shape.TopDirs)
	}
	f := githubfake.New(t)
	f.AddInstallation(testInstallation, testOrg)
	f.AddRepo(testOrg, "mono")
	head := f.Commit(testOrg, "mono", "main", files)
	res := do(t, f, rawCall{path: "/repos/acme/mono/git/trees/" + head + "?recursive=1", auth: token(f, testInstallation)})
	var tree struct {
		Truncated bool              `json:"truncated"`
		Tree      []json.RawMessage `json:"tree"`
	}
	if err := json.Unmarshal(res.body, &tree); err != nil {
		t.Fatal(err)
	}
	// 263,000 entries: the 7 MB cut comes long before the 100,000-entry one.
	if !tree.Truncated || len(res.body) > 7<<20 || len(res.body) < 7<<20-1024 || len(tree.Tree) >= 100000 {
		t.Errorf("recursive listing: truncated=%v, %d entries in %d bytes; want truncated just under 7 MB",
			tree.Truncated, len(tree.Tree), len(res.body))
	}
}

func TestContents(t *testing.T) {
	w := newWorld(t)
	client := installationClient(t, w.fake, testInstallation)
	tests := []struct {
		name       string
		path       string
		ref        string
		wantFile   string
		wantDir    []string
		wantStatus int
	}{
		{name: "file on default branch", path: "README.md", wantFile: "# api\n"},
		{name: "file at sha", path: "docs/index.md", ref: w.head, wantFile: "hello\n"},
		{name: "directory", path: "docs", wantDir: []string{"adr", "index.md"}},
		{name: "missing file", path: ".github/golden-path.yaml", wantStatus: 404},
		{name: "missing ref", path: "README.md", ref: "nope", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, dir, _, err := client.Repositories.GetContents(ctx, testOrg, "api", tt.path, &github.RepositoryContentGetOptions{Ref: tt.ref})
			if tt.wantStatus != 0 {
				if statusOf(err) != tt.wantStatus {
					t.Fatalf("err = %v, want %d", err, tt.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantDir != nil {
				var names []string
				for _, d := range dir {
					names = append(names, d.GetName())
				}
				if strings.Join(names, ",") != strings.Join(tt.wantDir, ",") {
					t.Errorf("dir = %v, want %v", names, tt.wantDir)
				}
				return
			}
			got, err := file.GetContent()
			if err != nil || got != tt.wantFile || file.GetSHA() != githubfake.BlobSHA(tt.wantFile) {
				t.Errorf("content = %q sha %s, %v; want %q", got, file.GetSHA(), err, tt.wantFile)
			}
		})
	}
}

func TestBranch(t *testing.T) {
	w := newWorld(t)
	client := installationClient(t, w.fake, testInstallation)
	b, _, err := client.Repositories.GetBranch(ctx, testOrg, "api", "main", 0)
	if err != nil || b.GetCommit().GetSHA() != w.head || b.GetCommit().GetCommit().GetTree().GetSHA() == "" {
		t.Fatalf("branch = %+v, %v", b, err)
	}
	// go-github's GetBranch reports any non-200 status as a plain error.
	if _, resp, err := client.Repositories.GetBranch(ctx, testOrg, "api", "nope", 0); err == nil || resp.StatusCode != 404 {
		t.Errorf("missing branch: %v", err)
	}
}

func TestEmptyRepository(t *testing.T) {
	f := githubfake.New(t)
	f.AddInstallation(testInstallation, testOrg)
	f.AddRepo(testOrg, "empty")
	client := installationClient(t, f, testInstallation)
	if _, _, err := client.Git.GetTree(ctx, testOrg, "empty", "main", true); statusOf(err) != 409 {
		t.Errorf("tree of empty repo: %v, want 409", err)
	}
	if _, _, err := client.Git.GetCommit(ctx, testOrg, "empty", strings.Repeat("a", 40)); statusOf(err) != 409 {
		t.Errorf("commit of empty repo: %v, want 409", err)
	}
}
