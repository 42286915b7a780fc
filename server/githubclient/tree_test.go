package githubclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/githubfake"
)

// treeFiles is a repository truncated at the root and in src when the fake cuts
// recursive listings at two entries.
var treeFiles = map[string]string{
	"README.md":              "# api\n",
	"docs/index.md":          "docs\n",
	"src/main.go":            "package main\n",
	"src/internal/x/util.go": "package x\n",
	"src/internal/y/util.go": "package y\n",
}

// subtreeSHA is the SHA of directory dir at commit, read past the snapshot.
func subtreeSHA(t *testing.T, in ghport.Installation, commit, dir string) string {
	t.Helper()
	tree, _, err := in.(*Installation).gh.Git.GetTree(context.Background(), "acme", "api", commit, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tree.Entries {
		if e.GetPath() == dir {
			return e.GetSHA()
		}
	}
	t.Fatalf("no directory %s", dir)
	return ""
}

func fastTreeRetries(t *testing.T) {
	old := treeRetryDelay
	treeRetryDelay = time.Millisecond
	t.Cleanup(func() { treeRetryDelay = old })
}

func TestTruncatedListingFaults(t *testing.T) {
	fastTreeRetries(t)
	tests := []struct {
		name  string
		fault githubfake.FaultKind
		times int    // 0: every request
		want  string // "" when the listing must succeed
	}{
		{name: "404 once for a subtree is a lagging replica", fault: githubfake.FaultNotFound, times: 1},
		{name: "404 for a subtree that persists is not gone", fault: githubfake.FaultNotFound, want: "GitHub does not find tree"},
		{name: "409 mid-listing", fault: githubfake.FaultEmptyRepository, want: "the repository became empty while its tree was listed"},
		{name: "5xx twice is retried", fault: githubfake.FaultBadGateway, times: 2},
		{name: "5xx that persists", fault: githubfake.FaultInternalError, want: "GitHub answered 500 to 4 tries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			commit := w.repo("api", treeFiles)
			in := w.installation(t)
			src := subtreeSHA(t, in, commit, "src")
			w.fake.SetTreeLimits(2, 0)
			w.fake.InjectFault(githubfake.Fault{Method: http.MethodGet, Path: "/repos/acme/api/git/trees/" + src, Kind: tt.fault, Times: tt.times})
			entries, err := in.Snapshot("acme", "api", commit).Entries(context.Background())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Entries: %v", err)
				}
				if got := len(entries); got != len(treeFiles) {
					t.Fatalf("%d entries, want %d", got, len(treeFiles))
				}
				return
			}
			var rl *ghport.RateLimitedError
			if err == nil || errors.Is(err, ghport.ErrGone) || errors.As(err, &rl) ||
				!strings.Contains(err.Error(), "(directory src)") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a plain error naming directory src and saying %q", err, tt.want)
			}
		})
	}
}

func TestRateLimitMidListingIsReturnedAsIs(t *testing.T) {
	w := newWorld(t)
	commit := w.repo("api", treeFiles)
	in := w.installation(t)
	w.fake.SetTreeLimits(2, 0)
	reset := time.Now().Add(30 * time.Minute).Truncate(time.Second)
	// The recursive and the one-level root listings, then the budget is out.
	w.fake.SetInstallationRateLimit(installationID, 2, reset)
	snap := in.LimitedSnapshot("acme", "api", commit, 100)
	_, err := snap.Entries(context.Background())
	var rl *ghport.RateLimitedError
	if !errors.As(err, &rl) || !rl.Until.Equal(reset) {
		t.Fatalf("err = %v, want a RateLimitedError until %v", err, reset)
	}
	if reason := snap.(policies.Partial).PartialReason(); reason != "" {
		t.Errorf("a rate limit made the snapshot partial (%q); the job must wait instead", reason)
	}
}

func TestRequestBudget(t *testing.T) {
	files := map[string]string{}
	for i := range 6 {
		for j := range 3 {
			files[fmt.Sprintf("d%d/f%d.txt", i, j)] = fmt.Sprintf("file %d %d\n", i, j)
		}
	}
	files["README.md"] = "# readme\n"
	tests := []struct {
		name       string
		budget     int
		wantPaths  int // listed
		wantReason string
	}{
		{name: "no budget", wantPaths: 19},
		// The recursive and root listings, then one request for each of d2 to d5:
		// d0 and d1 are whole in the truncated listing.
		{name: "budget enough", budget: 6, wantPaths: 19},
		{name: "budget short", budget: 4, wantPaths: 13, wantReason: "listed 13 of ? paths: request budget of 4 reached (not listed whole: d4, d5)"},
		{name: "budget for the root only", budget: 2, wantPaths: 7, wantReason: "listed 7 of ? paths: request budget of 2 reached (not listed whole: d2, d3, d4, 1 more)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			commit := w.repo("api", files)
			w.fake.SetTreeLimits(9, 0) // README.md, d0 and its 3 files, d1 and its 3
			var first []policies.Entry
			for round := range 2 { // the same budget cuts the same listing
				snap := w.installation(t).LimitedSnapshot("acme", "api", commit, tt.budget)
				entries, err := snap.Entries(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(entries) != tt.wantPaths {
					t.Errorf("%d paths listed, want %d", len(entries), tt.wantPaths)
				}
				for _, e := range entries {
					if e.SHA != githubfake.BlobSHA(files[e.Path]) {
						t.Errorf("%s: SHA %s, want the real one", e.Path, e.SHA)
					}
				}
				if got := snap.(policies.Partial).PartialReason(); got != tt.wantReason {
					t.Errorf("partial reason %q, want %q", got, tt.wantReason)
				}
				if round == 1 && !slices.Equal(entries, first) {
					t.Errorf("second listing differs:\n%v\n%v", entries, first)
				}
				first = entries
			}
		})
	}
}

func TestRequestBudgetOnBlobs(t *testing.T) {
	w := newWorld(t)
	files := map[string]string{"a": "a\n", "b": "b\n", "c": "c\n", "d": "d\n"}
	commit := w.repo("api", files)
	in := w.installation(t)
	full := in.Snapshot("acme", "api", commit)
	entries, err := full.Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tree, err := in.TreeSHA(context.Background(), full)
	if err != nil {
		t.Fatal(err)
	}
	for _, warm := range []bool{false, true} {
		if warm { // a blob cache that holds everything changes nothing
			if _, err := full.Read(context.Background(), []string{"a", "b", "c", "d"}); err != nil {
				t.Fatal(err)
			}
		}
		snap := in.StoredSnapshot("acme", "api", tree, entries, 2)
		got, err := snap.Read(context.Background(), []string{"c", "a", "d", "b"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || string(got["c"]) != "c\n" || string(got["a"]) != "a\n" {
			t.Errorf("warm cache %v: read %v, want c and a, first asked", warm, got)
		}
		if reason := snap.(policies.Partial).PartialReason(); reason != "read 2 of 4 files: request budget of 2 reached" {
			t.Errorf("warm cache %v: partial reason %q", warm, reason)
		}
	}
}

// listMonorepo lists the generated 250,000-file repository and returns its tree
// requests; it fails unless the listing equals the committed files.
func listMonorepo(tb testing.TB, w *world, commit string, files map[string]string) int {
	before := w.count(http.MethodGet, "/repos/acme/mono/git/trees/*")
	entries, err := w.installation(tb).Snapshot("acme", "mono", commit).Entries(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if len(entries) != len(files) {
		tb.Fatalf("listed %d files, want %d", len(entries), len(files))
	}
	for _, e := range entries {
		content, ok := files[e.Path]
		if !ok || e.SHA != githubfake.BlobSHA(content) {
			tb.Fatalf("%s: SHA %s, not a committed file's", e.Path, e.SHA)
		}
	}
	return w.count(http.MethodGet, "/repos/acme/mono/git/trees/*") - before
}

// monorepo commits the generated 250,000-file repository as acme/mono.
func monorepo(tb testing.TB) (*world, string, map[string]string) {
	w := newWorld(tb)
	files := githubfake.GenerateFiles(githubfake.MonorepoShape)
	w.fake.AddRepo("acme", "mono")
	return w, w.fake.Commit("acme", "mono", "main", files), files
}

func TestMonorepoListedInBoundedRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("commits and lists 250,000 files")
	}
	w, commit, files := monorepo(t)
	requests := listMonorepo(t, w, commit, files)
	if limit := githubfake.MonorepoShape.TopDirs + 10; requests > limit {
		t.Errorf("%d tree requests, want at most %d (top-level directories + 10)", requests, limit)
	}
}

// BenchmarkListMonorepo lists the generated 250,000-file repository, whose
// recursive listing GitHub (the fake) truncates, against the fake.
func BenchmarkListMonorepo(b *testing.B) {
	w, commit, files := monorepo(b)
	var requests int
	b.ResetTimer()
	for b.Loop() {
		requests = listMonorepo(b, w, commit, files)
	}
	b.ReportMetric(float64(requests), "requests/op")
}
