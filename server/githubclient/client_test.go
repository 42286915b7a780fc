package githubclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/metrics"
)

const installationID = 1

// world is a fake GitHub with the app installed on "acme", and a client for it.
type world struct {
	fake    *githubfake.Fake
	client  *Client
	metrics *metrics.Metrics
	blobs   *memoryBlobs
}

func newWorld(t testing.TB) *world {
	t.Helper()
	f := githubfake.New(t)
	f.AddInstallation(installationID, "acme")
	var cfg githubapp.Config
	cfg.V3APIURL = f.URL()
	cfg.V4APIURL = f.URL() + "graphql"
	cfg.App.IntegrationID = f.AppID
	cfg.App.PrivateKey = string(f.PrivateKeyPEM())
	m := metrics.New()
	blobs := &memoryBlobs{blobs: map[string][]byte{}}
	c, err := New(cfg, Options{Timeout: 10 * time.Second, Metrics: m, Blobs: blobs})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &world{fake: f, client: c, metrics: m, blobs: blobs}
}

func (w *world) installation(t testing.TB) ghport.Installation {
	t.Helper()
	in, err := w.client.Installation(context.Background(), installationID)
	if err != nil {
		t.Fatalf("Installation: %v", err)
	}
	return in
}

// repo creates acme/name with files on main and returns the commit SHA.
func (w *world) repo(name string, files map[string]string) string {
	w.fake.AddRepo("acme", name)
	return w.fake.Commit("acme", name, "main", files)
}

func (w *world) count(method, path string) int {
	return w.fake.CountRequests(githubfake.RequestFilter{Method: method, Path: path})
}

type memoryBlobs struct {
	mu    sync.Mutex
	blobs map[string][]byte
	hits  int
}

func (m *memoryBlobs) Blob(_ context.Context, inst int64, sha string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[fmt.Sprint(inst, "/", sha)]
	if ok {
		m.hits++
	}
	return b, ok, nil
}

func (m *memoryBlobs) SaveBlobs(_ context.Context, inst int64, blobs map[string][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for sha, b := range blobs {
		m.blobs[fmt.Sprint(inst, "/", sha)] = b
	}
	return nil
}

func paths(entries []policies.Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Path)
	}
	return out
}

func TestNewRefusesMissingAPIURL(t *testing.T) {
	var cfg githubapp.Config
	cfg.App.IntegrationID = 1
	cfg.App.PrivateKey = "key"
	if _, err := New(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "v3_api_url") {
		t.Fatalf("New without v3_api_url: err = %v, want one naming v3_api_url", err)
	}
}

func TestSnapshotEntries(t *testing.T) {
	files := map[string]string{
		"README.md":              "# api\n",
		"catalog-info.yaml":      "kind: Component\n",
		"src/main.go":            "package main\n",
		"src/internal/x/util.go": "package x\n",
		"docs/index.md":          "docs\n",
	}
	want := []string{"README.md", "catalog-info.yaml", "docs/index.md", "src/internal/x/util.go", "src/main.go"}
	// The recursive listing has 9 entries: README.md catalog-info.yaml docs
	// docs/index.md src src/internal src/internal/x src/internal/x/util.go src/main.go
	tests := []struct {
		name       string
		entryLimit int // where the fake truncates a recursive listing
		// tree requests: recursive, and one level deep where a listing is split
		wantRecursive, wantPlain int
	}{
		{name: "one recursive request", wantRecursive: 1},
		// root split; docs is whole in the truncated listing, src is listed.
		{name: "truncated at the root", entryLimit: 4, wantRecursive: 2, wantPlain: 1},
		// root split: docs and src listed; src split again: src/internal listed.
		{name: "truncated at two levels", entryLimit: 2, wantRecursive: 4, wantPlain: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			sha := w.repo("api", files)
			w.fake.SetTreeLimits(tt.entryLimit, 0)
			snap := w.installation(t).Snapshot("acme", "api", sha)
			for range 2 { // the second call is memoised
				entries, err := snap.Entries(context.Background())
				if err != nil {
					t.Fatalf("Entries: %v", err)
				}
				if got := paths(entries); !slices.Equal(got, want) {
					t.Fatalf("paths = %v, want %v", got, want)
				}
				for _, e := range entries {
					if e.SHA != githubfake.BlobSHA(files[e.Path]) || e.Size != int64(len(files[e.Path])) {
						t.Errorf("%s: sha %s size %d, want %s %d", e.Path, e.SHA, e.Size, githubfake.BlobSHA(files[e.Path]), len(files[e.Path]))
					}
				}
			}
			var recursive, plain int
			for _, r := range w.fake.Requests() {
				if r.Method == http.MethodGet && strings.Contains(r.Path, "/git/trees/") {
					if strings.Contains(r.RawQuery, "recursive=1") {
						recursive++
					} else {
						plain++
					}
				}
			}
			if recursive != tt.wantRecursive || plain != tt.wantPlain {
				t.Errorf("tree requests: %d recursive, %d plain; want %d, %d", recursive, plain, tt.wantRecursive, tt.wantPlain)
			}
		})
	}
}

// The fake cannot commit submodules or symlinks, so the entry filter is checked on
// a listing as GitHub shows them.
func TestBlobEntriesKeepSymlinksSkipSubmodules(t *testing.T) {
	entry := func(path, mode, typ string, size int) *github.TreeEntry {
		return &github.TreeEntry{Path: github.String(path), Mode: github.String(mode), Type: github.String(typ), SHA: github.String("sha-" + path), Size: github.Int(size)}
	}
	got := blobEntries("sub", []*github.TreeEntry{
		entry("file.txt", "100644", "blob", 3),
		entry("run.sh", "100755", "blob", 4),
		entry("link", "120000", "blob", 8),
		entry("vendor/lib", "160000", "commit", 0),
		entry("dir", "040000", "tree", 0),
	})
	want := []policies.Entry{
		{Path: "sub/file.txt", SHA: "sha-file.txt", Size: 3},
		{Path: "sub/run.sh", SHA: "sha-run.sh", Size: 4},
		{Path: "sub/link", SHA: "sha-link", Size: 8},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("blobEntries = %v, want %v", got, want)
	}
}

func TestReadFetchesEachBlobOnce(t *testing.T) {
	w := newWorld(t)
	shared := map[string]string{"README.md": "# shared readme\n", "catalog-info.yaml": "kind: Component\n"}
	apiFiles := map[string]string{"src/main.go": "package main\n"}
	webFiles := map[string]string{"index.html": "<html></html>\n"}
	for k, v := range shared {
		apiFiles[k], webFiles[k] = v, v
	}
	apiSHA := w.repo("api", apiFiles)
	webSHA := w.repo("web", webFiles)
	in := w.installation(t)
	ctx := context.Background()

	read := func(snap policies.Snapshot, files map[string]string, ask ...string) {
		t.Helper()
		got, err := snap.Read(ctx, ask)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		for _, p := range ask {
			content, exists := files[p]
			if b, ok := got[p]; ok != exists || string(b) != content {
				t.Errorf("Read %s = %q (present %v), want %q (present %v)", p, b, ok, content, exists)
			}
		}
	}
	api := in.Snapshot("acme", "api", apiSHA)
	read(api, apiFiles, "README.md", "catalog-info.yaml", "src/main.go", "missing.txt")
	read(api, apiFiles, "README.md", "src/main.go") // memoised: no request
	web := in.Snapshot("acme", "web", webSHA)
	read(web, webFiles, "README.md", "catalog-info.yaml", "index.html")

	// 3 blobs of api, then only index.html of web: the shared two come from the cache.
	if n := w.count("GET", "/repos/acme/*/git/blobs/*"); n != 4 {
		t.Errorf("blob requests = %d, want 4 (each distinct blob once)", n)
	}
	if w.blobs.hits != 2 {
		t.Errorf("blob cache hits = %d, want 2", w.blobs.hits)
	}
}

func TestStoredSnapshotListsNothing(t *testing.T) {
	w := newWorld(t)
	files := map[string]string{"README.md": "# api\n", "catalog-info.yaml": "kind: Component\n"}
	sha := w.repo("api", files)
	in := w.installation(t)
	ctx := context.Background()
	listed := in.Snapshot("acme", "api", sha)
	entries, err := listed.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := in.TreeSHA(ctx, listed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := listed.Read(ctx, []string{"README.md"}); err != nil {
		t.Fatal(err)
	}
	w.fake.ResetRequests()

	stored := in.StoredSnapshot("acme", "api", tree, entries, 0)
	if got, err := in.TreeSHA(ctx, stored); err != nil || got != tree {
		t.Fatalf("TreeSHA of the stored snapshot = %q, %v; want %q", got, err, tree)
	}
	got, err := stored.Read(ctx, []string{"README.md", "catalog-info.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range files {
		if string(got[p]) != want {
			t.Errorf("Read %s = %q, want %q", p, got[p], want)
		}
	}
	// No listing; README.md from the blob cache; only the blob never read is fetched.
	if n, trees := len(w.fake.Requests()), w.count("GET", "/repos/acme/api/git/trees/*"); n != 1 || trees != 0 {
		t.Fatalf("%d requests (%d tree listings), want only the one blob not read before", n, trees)
	}
}

func TestFileRevalidatesWithETag(t *testing.T) {
	w := newWorld(t)
	w.repo("api", map[string]string{".github/golden-path.yaml": "component_type: service\n"})
	in := w.installation(t)
	ctx := context.Background()
	for i := range 2 {
		data, found, err := in.File(ctx, "acme", "api", "main", ".github/golden-path.yaml")
		if err != nil || !found || string(data) != "component_type: service\n" {
			t.Fatalf("File #%d = %q, %v, %v", i+1, data, found, err)
		}
	}
	var statuses []int
	for _, r := range w.fake.Requests() {
		if strings.HasPrefix(r.Path, "/repos/acme/api/contents/") {
			statuses = append(statuses, r.Status)
		}
	}
	if !slices.Equal(statuses, []int{200, 304}) {
		t.Errorf("contents requests answered %v, want [200 304]", statuses)
	}

	_, found, err := in.File(ctx, "acme", "api", "main", "nope.yaml")
	if err != nil || found {
		t.Errorf("File of a missing path: found %v, err %v; want false, nil", found, err)
	}

	if got := counter(t, w.metrics, "GET", "304"); got != 1 {
		t.Errorf(`requests{GET,"304"} = %v, want 1`, got)
	}
	if got := counter(t, w.metrics, "GET", "200"); got != 1 {
		t.Errorf(`requests{GET,"200"} = %v, want 1`, got)
	}
	if got := counter(t, w.metrics, "GET", "404"); got != 1 {
		t.Errorf(`requests{GET,"404"} = %v, want 1`, got)
	}
	remaining := gauge(t, w.metrics.GitHubRateRemaining, "1")
	if want := float64(w.fake.RateLimitRemaining(installationID)); remaining != want {
		t.Errorf("rate remaining gauge = %v, want %v", remaining, want)
	}
	if limit := gauge(t, w.metrics.GitHubRateLimit, "1"); limit != 5000 {
		t.Errorf("rate limit gauge = %v, want 5000", limit)
	}
}

func TestBranchHead(t *testing.T) {
	w := newWorld(t)
	sha := w.repo("api", map[string]string{"a": "a"})
	in := w.installation(t)
	got, err := in.BranchHead(context.Background(), "acme", "api", "main")
	if err != nil || got != sha {
		t.Fatalf("BranchHead = %q, %v; want %q", got, err, sha)
	}
	if _, err := in.BranchHead(context.Background(), "acme", "api", "gone"); !errors.Is(err, ghport.ErrGone) {
		t.Fatalf("BranchHead of a missing branch: err = %v, want ErrGone", err)
	}
}

func TestCheckRunAnnotationsInBatches(t *testing.T) {
	w := newWorld(t)
	sha := w.repo("api", map[string]string{"a": "a"})
	in := w.installation(t)
	ctx := context.Background()
	annotations := func(n int, prefix string) []ghport.Annotation {
		var out []ghport.Annotation
		for i := range n {
			out = append(out, ghport.Annotation{Path: "a", StartLine: i + 1, EndLine: i + 1, Level: "warning", Title: prefix, Message: fmt.Sprint(prefix, i)})
		}
		return out
	}
	run := ghport.CheckRun{Name: "Golden Path", HeadSHA: sha, Status: "completed", Conclusion: "neutral",
		Title: "3 of 5 golden-path rules pass", Summary: "summary", Text: "text", Annotations: annotations(120, "c")}

	id, err := in.CreateCheckRun(ctx, "acme", "api", run)
	if err != nil {
		t.Fatalf("CreateCheckRun: %v", err)
	}
	if p, u := w.count("POST", "/repos/acme/api/check-runs"), w.count("PATCH", "/repos/acme/api/check-runs/*"); p != 1 || u != 2 {
		t.Errorf("create with 120 annotations: %d POST, %d PATCH; want 1, 2", p, u)
	}
	run.Annotations = annotations(120, "u")
	if err := in.UpdateCheckRun(ctx, "acme", "api", id, run); err != nil {
		t.Fatalf("UpdateCheckRun: %v", err)
	}
	if u := w.count("PATCH", "/repos/acme/api/check-runs/*"); u != 5 {
		t.Errorf("update with 120 annotations: %d PATCH in all, want 5", u-2)
	}

	runs := w.fake.CheckRuns("acme", "api")
	if len(runs) != 1 || runs[0].ID != id {
		t.Fatalf("check runs = %+v, want one with id %d", runs, id)
	}
	cr := runs[0]
	// The fake refuses more than 50 annotations per request, so 240 arrived in batches.
	if len(cr.Annotations) != 240 || cr.Annotations[0].Message != "c0" || cr.Annotations[119].Message != "c119" || cr.Annotations[239].Message != "u119" {
		t.Errorf("annotations: %d, want 240 in order", len(cr.Annotations))
	}
	if cr.Title != run.Title || cr.Summary != "summary" || cr.Text != "text" || cr.Conclusion != "neutral" {
		t.Errorf("output = %q/%q/%q conclusion %q", cr.Title, cr.Summary, cr.Text, cr.Conclusion)
	}
}

func TestCheckRunSummaryTruncated(t *testing.T) {
	w := newWorld(t)
	sha := w.repo("api", map[string]string{"a": "a"})
	in := w.installation(t)
	long := strings.Repeat("ab€", 30000) // 90,000 characters, multi-byte runes
	_, err := in.CreateCheckRun(context.Background(), "acme", "api", ghport.CheckRun{
		Name: "Golden Path", HeadSHA: sha, Status: "in_progress", Title: "t", Summary: long, Text: long,
	})
	if err != nil {
		t.Fatalf("CreateCheckRun: %v", err)
	}
	cr := w.fake.CheckRuns("acme", "api")[0]
	for name, s := range map[string]string{"summary": cr.Summary, "text": cr.Text} {
		if len(s) > maxOutputText || !utf8.ValidString(s) || !strings.HasSuffix(s, truncationNote) || !strings.HasPrefix(long, strings.TrimSuffix(s, truncationNote)) {
			t.Errorf("%s: %d bytes, valid UTF-8 %v, ends with the note %v", name, len(s), utf8.ValidString(s), strings.HasSuffix(s, truncationNote))
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{in: "short", limit: 10, want: "short"},
		{in: "exactly10!", limit: 10, want: "exactly10!"},
		{in: "aaaaaaaaaaaa", limit: 10, want: "aaaaaaaa.."},
		{in: "aaaaaaa€€", limit: 10, want: "aaaaaaa.."}, // € is 3 bytes: not split
	}
	for _, tt := range tests {
		if got := truncateBytes(tt.in, tt.limit, ".."); got != tt.want {
			t.Errorf("truncateBytes(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestFindComment(t *testing.T) {
	const marker = "<!-- goldenpath:pr -->"
	w := newWorld(t)
	w.repo("api", map[string]string{"a": "a"})
	w.fake.Commit("acme", "api", "feature", map[string]string{"a": "b"})
	pr := w.fake.OpenPR("acme", "api", 0, "feature", "main")
	other := w.fake.OpenPR("acme", "api", 0, "feature", "main")
	for i := range 130 {
		body := fmt.Sprint("comment ", i)
		if i == 3 {
			body = "a person quoting " + marker // page 1, not the app's
		}
		w.fake.AddIssueComment("acme", "api", pr, "octocat", body)
	}
	want := w.fake.AddIssueComment("acme", "api", pr, w.fake.BotLogin(), marker+"\nreport") // page 2
	w.fake.AddIssueComment("acme", "api", other, "octocat", marker)

	in := w.installation(t)
	ctx := context.Background()
	got, err := in.FindComment(ctx, "acme", "api", pr, marker)
	if err != nil || got != want {
		t.Fatalf("FindComment = %d, %v; want %d", got, err, want)
	}
	if n := w.count("GET", fmt.Sprintf("/repos/acme/api/issues/%d/comments", pr)); n != 2 {
		t.Errorf("comment pages requested = %d, want 2", n)
	}

	// Only a person's comment holds the marker: none found, then ours is found
	// right after it is written (the cached page is revalidated, not reused).
	if got, err := in.FindComment(ctx, "acme", "api", other, marker); err != nil || got != 0 {
		t.Fatalf("FindComment with only a human's marker = %d, %v; want 0", got, err)
	}
	created, err := in.CreateComment(ctx, "acme", "api", other, marker+"\nfirst")
	if err != nil {
		t.Fatalf("CreateComment: %v", err)
	}
	if got, err := in.FindComment(ctx, "acme", "api", other, marker); err != nil || got != created {
		t.Fatalf("FindComment after CreateComment = %d, %v; want %d", got, err, created)
	}
	if err := in.EditComment(ctx, "acme", "api", created, marker+"\nall clear"); err != nil {
		t.Fatalf("EditComment: %v", err)
	}
	comments := w.fake.IssueComments("acme", "api", other)
	if last := comments[len(comments)-1]; last.ID != created || last.Body != marker+"\nall clear" {
		t.Errorf("edited comment = %+v", last)
	}
}

func TestErrorMapping(t *testing.T) {
	reset := time.Now().Add(30 * time.Minute).Truncate(time.Second)
	tests := []struct {
		name    string
		repo    string // default "api"
		arrange func(f *githubfake.Fake)
		check   func(t *testing.T, err error, started time.Time)
	}{
		{
			name:    "primary rate limit waits until reset",
			arrange: func(f *githubfake.Fake) { f.SetInstallationRateLimit(installationID, 0, reset) },
			check: func(t *testing.T, err error, _ time.Time) {
				var rl *ghport.RateLimitedError
				if !errors.As(err, &rl) || rl.Secondary || !rl.Until.Equal(reset) {
					t.Fatalf("err = %v, want a primary RateLimitedError until %v", err, reset)
				}
			},
		},
		{
			name: "secondary rate limit waits Retry-After",
			arrange: func(f *githubfake.Fake) {
				f.InjectFault(githubfake.Fault{Path: "/repos/acme/api/git/trees/*", Kind: githubfake.FaultSecondaryRateLimit, RetryAfter: 90 * time.Second, Times: 1})
			},
			check: func(t *testing.T, err error, started time.Time) {
				var rl *ghport.RateLimitedError
				if !errors.As(err, &rl) || !rl.Secondary {
					t.Fatalf("err = %v, want a secondary RateLimitedError", err)
				}
				if lo, hi := started.Add(89*time.Second), time.Now().Add(91*time.Second); rl.Until.Before(lo) || rl.Until.After(hi) {
					t.Errorf("until %v, want about 90 s from now", rl.Until)
				}
			},
		},
		{
			name:    "server error is retried, not gone",
			arrange: func(f *githubfake.Fake) { f.FailNext(1, githubfake.FaultInternalError) },
			check:   wantPlain("fetch tree of acme/api@"),
		},
		{
			name: "connection reset is retried, not gone",
			arrange: func(f *githubfake.Fake) {
				f.InjectFault(githubfake.Fault{Path: "/repos/acme/api/git/trees/*", Kind: githubfake.FaultConnectionReset})
			},
			check: wantPlain("fetch tree of acme/api@"),
		},
		{name: "missing repository is gone", repo: "deleted", check: wantGone},
		{name: "uninstalled app is gone", arrange: func(f *githubfake.Fake) { f.RemoveInstallation(installationID) }, check: wantGone},
		{name: "suspended installation waits, not gone", arrange: func(f *githubfake.Fake) { f.SuspendInstallation(installationID) }, check: wantSuspended},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			sha := w.repo("api", map[string]string{"a": "a"})
			in := w.installation(t)
			if tt.arrange != nil {
				tt.arrange(w.fake)
			}
			repo := tt.repo
			if repo == "" {
				repo = "api"
			}
			started := time.Now()
			_, err := in.Snapshot("acme", repo, sha).Entries(context.Background())
			if err == nil {
				t.Fatal("Entries succeeded, want an error")
			}
			tt.check(t, err, started)
		})
	}
}

func wantGone(t *testing.T, err error, _ time.Time) {
	t.Helper()
	var rl *ghport.RateLimitedError
	if !errors.Is(err, ghport.ErrGone) || errors.As(err, &rl) {
		t.Fatalf("err = %v, want ErrGone", err)
	}
}

func wantSuspended(t *testing.T, err error, _ time.Time) {
	t.Helper()
	if !errors.Is(err, ghport.ErrSuspended) || errors.Is(err, ghport.ErrGone) {
		t.Fatalf("err = %v, want ErrSuspended and not ErrGone", err)
	}
}

func wantPlain(prefix string) func(*testing.T, error, time.Time) {
	return func(t *testing.T, err error, _ time.Time) {
		t.Helper()
		var rl *ghport.RateLimitedError
		if errors.Is(err, ghport.ErrGone) || errors.As(err, &rl) || !strings.HasPrefix(err.Error(), prefix) {
			t.Fatalf("err = %v, want a plain error starting %q", err, prefix)
		}
	}
}

func counter(t *testing.T, m *metrics.Metrics, method, status string) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.GitHubRequests.WithLabelValues(method, status).Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetCounter().GetValue()
}

func gauge(t *testing.T, g *prometheus.GaugeVec, label string) float64 {
	t.Helper()
	var out dto.Metric
	if err := g.WithLabelValues(label).Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetGauge().GetValue()
}

func TestTreeSHAAndRateLimit(t *testing.T) {
	w := newWorld(t)
	files := map[string]string{"README.md": "# api\n", "src/main.go": "package main\n"}
	first := w.repo("api", files)
	second := w.fake.Commit("acme", "api", "main", files) // new commit, same files
	in := w.installation(t)
	ctx := context.Background()
	if _, _, known := in.RateLimit(); known {
		t.Fatal("RateLimit known before any request")
	}
	var trees []string
	for _, ref := range []string{first, second, "main"} { // the sweep snapshots a branch
		tree, err := in.TreeSHA(ctx, in.Snapshot("acme", "api", ref))
		if err != nil {
			t.Fatalf("TreeSHA(%s): %v", ref, err)
		}
		trees = append(trees, tree)
	}
	if trees[0] == "" || trees[0] != trees[1] || trees[1] != trees[2] {
		t.Errorf("tree SHAs = %v, want one tree for the same files", trees)
	}
	if n := w.count("GET", "/repos/acme/api/git/trees/*"); n != 3 {
		t.Errorf("tree requests = %d, want 3 (one per snapshot)", n)
	}
	remaining, reset, known := in.RateLimit()
	if !known || remaining != w.fake.RateLimitRemaining(installationID) || !reset.After(time.Now()) {
		t.Errorf("RateLimit = %d, %v, %v; want %d left and a future reset", remaining, reset, known, w.fake.RateLimitRemaining(installationID))
	}
}

func TestInstallationsAndRepositories(t *testing.T) {
	w := newWorld(t)
	w.fake.AddInstallation(2, "globex")
	w.fake.AddInstallation(3, "initech")
	w.fake.SuspendInstallation(3)
	w.repo("api", map[string]string{"a": "a"})
	w.fake.AddRepo("acme", "old", githubfake.WithArchived())
	ctx := context.Background()

	list, err := w.client.Installations(ctx)
	if err != nil {
		t.Fatalf("Installations: %v", err)
	}
	want := []ghport.InstallationInfo{{ID: installationID, Account: "acme"}, {ID: 2, Account: "globex"}}
	if !slices.Equal(list, want) {
		t.Errorf("Installations = %v, want %v (suspended left out)", list, want)
	}

	repos, err := w.installation(t).Repositories(ctx)
	if err != nil {
		t.Fatalf("Repositories: %v", err)
	}
	var names []string
	for _, r := range repos {
		names = append(names, fmt.Sprintf("%s/%s archived=%v branch=%s", r.Owner, r.Name, r.Archived, r.DefaultBranch))
	}
	if wantNames := []string{"acme/api archived=false branch=main", "acme/old archived=true branch=main"}; !slices.Equal(names, wantNames) {
		t.Errorf("Repositories = %v, want %v", names, wantNames)
	}
}

func TestReportIssues(t *testing.T) {
	const marker = "<!-- goldenpath:report -->"
	w := newWorld(t)
	w.repo(".github", map[string]string{"golden-path.yaml": "enforcement: advisory\n"})
	w.fake.AddIssue("acme", ".github", githubfake.Issue{Title: "Golden Path adoption report", Body: "copied " + marker}) // a person's
	in := w.installation(t)
	ctx := context.Background()

	first, err := in.CreateIssue(ctx, "acme", ".github", "Golden Path adoption report", marker+"\nv1", []string{"golden-path"})
	if err != nil {
		t.Fatalf("CreateIssue: %v", err)
	}
	second, err := in.CreateIssue(ctx, "acme", ".github", "Golden Path adoption report", marker+"\nduplicate", nil)
	if err != nil {
		t.Fatalf("CreateIssue without labels: %v", err)
	}
	found, err := in.FindIssues(ctx, "acme", ".github", marker)
	if err != nil {
		t.Fatalf("FindIssues: %v", err)
	}
	if len(found) != 2 || found[0].Number != first || found[1].Number != second {
		t.Fatalf("FindIssues = %+v, want #%d then #%d (not the person's)", found, first, second)
	}
	if err := in.CloseIssue(ctx, "acme", ".github", second); err != nil {
		t.Fatalf("CloseIssue: %v", err)
	}
	if err := in.EditIssue(ctx, "acme", ".github", first, marker+"\nv2"); err != nil {
		t.Fatalf("EditIssue: %v", err)
	}
	is, err := in.Issue(ctx, "acme", ".github", first)
	if err != nil || !is.Open || is.Body != marker+"\nv2" {
		t.Fatalf("Issue = %+v, %v", is, err)
	}
	found, err = in.FindIssues(ctx, "acme", ".github", marker)
	if err != nil || len(found) != 1 || found[0].Number != first {
		t.Fatalf("FindIssues after closing the duplicate = %+v, %v", found, err)
	}
	if _, err := in.Issue(ctx, "acme", ".github", 999); !errors.Is(err, ghport.ErrGone) {
		t.Errorf("Issue of a missing number: err = %v, want ErrGone", err)
	}
}

// TestRevokedTokenIsReplaced: GitHub refuses a token before its stated expiry
// (revoked, clock skew); the 401 fails that call, and the next Installation mints a
// fresh token instead of sending the refused one again.
func TestRevokedTokenIsReplaced(t *testing.T) {
	w := newWorld(t)
	sha := w.repo("api", map[string]string{"a": "a"})
	ctx := context.Background()
	if _, err := w.installation(t).BranchHead(ctx, "acme", "api", "main"); err != nil {
		t.Fatalf("BranchHead: %v", err)
	}
	tokens := w.count("POST", "/app/installations/*/access_tokens")
	w.fake.ExpireTokens()
	_, err := w.installation(t).BranchHead(ctx, "acme", "api", "main")
	if err == nil || errors.Is(err, ghport.ErrGone) || errors.Is(err, ghport.ErrSuspended) {
		t.Fatalf("BranchHead with a revoked token: err = %v, want a retryable error", err)
	}
	got, err := w.installation(t).BranchHead(ctx, "acme", "api", "main")
	if err != nil || got != sha {
		t.Fatalf("BranchHead after the 401 = %q, %v; want %q", got, err, sha)
	}
	if n := w.count("POST", "/app/installations/*/access_tokens"); n != tokens+1 {
		t.Errorf("token requests = %d, want %d (one fresh token after the 401)", n, tokens+1)
	}
}
