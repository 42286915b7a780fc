package githubfake_test

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/gregjones/httpcache"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

func TestPaginationWalksAllPages(t *testing.T) {
	f := githubfake.New(t)
	f.AddInstallation(testInstallation, testOrg)
	for i := range 250 {
		f.AddRepo(testOrg, fmt.Sprintf("repo-%03d", i))
	}
	client := installationClient(t, f, testInstallation)
	seen := map[string]bool{}
	opts := &github.ListOptions{PerPage: 100}
	pages := 0
	for {
		list, resp, err := client.Apps.ListRepos(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if list.GetTotalCount() != 250 {
			t.Errorf("total_count = %d", list.GetTotalCount())
		}
		for _, r := range list.Repositories {
			seen[r.GetFullName()] = true
		}
		if pages == 1 && (resp.NextPage != 2 || resp.LastPage != 3 || resp.PrevPage != 0) {
			t.Errorf("first page links: next=%d last=%d prev=%d", resp.NextPage, resp.LastPage, resp.PrevPage)
		}
		if resp.NextPage == 0 {
			if resp.PrevPage != 2 || resp.FirstPage != 1 {
				t.Errorf("last page links: prev=%d first=%d", resp.PrevPage, resp.FirstPage)
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if pages != 3 || len(seen) != 250 {
		t.Errorf("walked %d pages, %d repositories; want 3 and 250", pages, len(seen))
	}
	if n := f.CountRequests(githubfake.RequestFilter{Path: "/installation/repositories"}); n != 3 {
		t.Errorf("listing requests = %d, want 3", n)
	}
}

func TestPerPage(t *testing.T) {
	f := githubfake.New(t)
	f.AddInstallation(testInstallation, testOrg)
	f.AddRepo(testOrg, "api")
	for i := range 130 {
		f.AddIssue(testOrg, "api", githubfake.Issue{Title: "issue " + strconv.Itoa(i)})
	}
	tok := token(f, testInstallation)
	tests := []struct {
		query     string
		wantCount int
		wantLink  string
	}{
		{"", 30, `page=2>; rel="next"`},
		{"?per_page=100", 100, `page=2&per_page=100>; rel="next"`},
		{"?per_page=500", 100, `rel="last"`},
		{"?per_page=100&page=2", 30, `rel="prev"`},
		{"?per_page=100&page=9", 0, `rel="first"`},
		{"?per_page=abc", 30, `rel="next"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := do(t, f, rawCall{path: "/repos/acme/api/issues" + tt.query, auth: tok})
			var items []any
			if err := jsonUnmarshal(res.body, &items); err != nil || len(items) != tt.wantCount {
				t.Fatalf("got %d items (%v), want %d", len(items), err, tt.wantCount)
			}
			if link := res.header.Get("Link"); !strings.Contains(link, tt.wantLink) {
				t.Errorf("Link = %q, want it to contain %q", link, tt.wantLink)
			}
		})
	}
}

func TestConditionalRequests(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	tok := token(f, testInstallation)
	first := do(t, f, rawCall{path: "/repos/acme/api/git/trees/main?recursive=1", auth: tok})
	etag := first.header.Get("ETag")
	if first.status != 200 || etag == "" {
		t.Fatalf("first GET: %d, ETag %q", first.status, etag)
	}
	remaining := first.header.Get("X-RateLimit-Remaining")
	tests := []struct {
		name        string
		ifNoneMatch string
		change      func()
		wantStatus  int
	}{
		{"same ETag", etag, nil, 304},
		{"strong form of the weak ETag", strings.TrimPrefix(etag, "W/"), nil, 304},
		{"one of several", `"other", ` + etag, nil, 304},
		{"stale ETag", `W/"stale"`, nil, 200},
		{"content changed", etag, func() { f.Commit(testOrg, "api", "main", map[string]string{"x": "y"}) }, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				tt.change()
			}
			res := do(t, f, rawCall{path: "/repos/acme/api/git/trees/main?recursive=1", auth: tok, headers: map[string]string{"If-None-Match": tt.ifNoneMatch}})
			if res.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.status, tt.wantStatus)
			}
			if tt.wantStatus == 304 {
				if len(res.body) != 0 || res.header.Get("ETag") != etag {
					t.Errorf("304 body %q, ETag %q", res.body, res.header.Get("ETag"))
				}
				// A 304 does not count against the rate limit.
				if got := res.header.Get("X-RateLimit-Remaining"); got != remaining {
					t.Errorf("remaining after 304 = %s, want %s", got, remaining)
				}
			}
		})
	}
	if n := f.CountRequests(githubfake.RequestFilter{Status: 304}); n != 3 {
		t.Errorf("conditional 304s recorded = %d, want 3", n)
	}
}

func TestHTTPCacheRevalidatesWithETags(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	client := installationClient(t, f, testInstallation,
		githubapp.WithClientCaching(true, func() httpcache.Cache { return httpcache.NewMemoryCache() }))
	for range 3 {
		if _, _, err := client.Git.GetTree(ctx, testOrg, "api", "main", false); err != nil {
			t.Fatal(err)
		}
	}
	got := []int{}
	for _, r := range f.Requests() {
		if r.Path == "/repos/acme/api/git/trees/main" {
			got = append(got, r.Status)
		}
	}
	if fmt.Sprint(got) != "[200 304 304]" {
		t.Errorf("statuses = %v, want [200 304 304]", got)
	}
	if rem := f.RateLimitRemaining(testInstallation); rem != 4999 {
		t.Errorf("remaining = %d, want 4999 (304s are free)", rem)
	}
}

func TestPrimaryRateLimit(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	reset := time.Now().Add(30 * time.Minute).Truncate(time.Second)
	f.SetInstallationRateLimit(testInstallation, 1, reset)
	client := installationClient(t, f, testInstallation)
	_, resp, err := client.Git.GetTree(ctx, testOrg, "api", "main", false)
	if err != nil || resp.Rate.Remaining != 0 || resp.Rate.Limit != 5000 || !resp.Rate.Reset.Time.Equal(reset) {
		t.Fatalf("last allowed call: %v, rate %+v", err, resp.Rate)
	}
	// That client now refuses locally until the reset; a fresh one reaches the fake.
	fresh := installationClient(t, f, testInstallation)
	_, _, err = fresh.Git.GetTree(ctx, testOrg, "api", "main", false)
	var rle *github.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("err = %T %v, want *github.RateLimitError", err, err)
	}
	if n := f.CountRequests(githubfake.RequestFilter{Path: "/repos/acme/api/git/trees/main", Status: 403}); n != 1 {
		t.Errorf("403s from the fake = %d, want 1", n)
	}
	if rle.Response.StatusCode != 403 || !strings.Contains(rle.Message, "API rate limit exceeded for installation ID 7") || !rle.Rate.Reset.Time.Equal(reset) {
		t.Errorf("rate limit error = %+v", rle)
	}
	// Once the reset time has passed the budget refills.
	f.SetInstallationRateLimit(testInstallation, 0, time.Now().Add(-time.Second))
	res := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: token(f, testInstallation)})
	if res.status != 200 || res.header.Get("X-RateLimit-Remaining") != "4999" {
		t.Errorf("after reset: %d remaining %s", res.status, res.header.Get("X-RateLimit-Remaining"))
	}
}

func TestRateLimitHeadersCountDown(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	tok := token(f, testInstallation)
	var remaining []string
	for range 3 {
		res := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: tok})
		remaining = append(remaining, res.header.Get("X-RateLimit-Remaining")+"/"+res.header.Get("X-RateLimit-Used"))
	}
	if got := strings.Join(remaining, " "); got != "4999/1 4998/2 4997/3" {
		t.Errorf("remaining/used = %s", got)
	}
}

func TestFaultInjection(t *testing.T) {
	tests := []struct {
		name       string
		fault      githubfake.Fault
		path       string
		wantStatus []int
	}{
		{"500 twice", githubfake.Fault{Kind: githubfake.FaultInternalError, Times: 2, Path: "/repos/*/api/git/trees/**"}, "/repos/acme/api/git/trees/main", []int{500, 500, 200}},
		{"502 once", githubfake.Fault{Kind: githubfake.FaultBadGateway, Times: 1}, "/repos/acme/api/branches/main", []int{502, 200}},
		{"502 on matching method only", githubfake.Fault{Kind: githubfake.FaultBadGateway, Times: 1, Method: "POST"}, "/repos/acme/api/branches/main", []int{200, 200}},
		{"path that does not match", githubfake.Fault{Kind: githubfake.FaultInternalError, Times: 1, Path: "/repos/acme/web"}, "/repos/acme/api/branches/main", []int{200}},
		{"secondary rate limit", githubfake.Fault{Kind: githubfake.FaultSecondaryRateLimit, Times: 1, RetryAfter: 30 * time.Second}, "/repos/acme/api/branches/main", []int{403, 200}},
		{"401 once", githubfake.Fault{Kind: githubfake.FaultUnauthorized, Times: 1, Path: "/repos/acme/api/branches/main"}, "/repos/acme/api/branches/main", []int{401, 200}},
		{"403 twice", githubfake.Fault{Kind: githubfake.FaultForbidden, Times: 2}, "/repos/acme/api/branches/main", []int{403, 403, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			f := w.fake
			tok := token(f, testInstallation)
			f.InjectFault(tt.fault)
			for i, want := range tt.wantStatus {
				res := do(t, f, rawCall{path: tt.path, auth: tok})
				if res.status != want {
					t.Fatalf("request %d: status %d, want %d (%s)", i+1, res.status, want, res.body)
				}
				if res.header.Get("X-RateLimit-Remaining") == "" {
					t.Errorf("request %d: no rate-limit headers", i+1)
				}
			}
			if got := f.RateLimitRemaining(testInstallation); got != 5000-countOK(tt.wantStatus) {
				t.Errorf("remaining = %d: faults must not spend the budget", got)
			}
		})
	}
}

func countOK(statuses []int) int {
	n := 0
	for _, s := range statuses {
		if s == 200 {
			n++
		}
	}
	return n
}

func TestSecondaryRateLimitIsAbuseError(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	client := installationClient(t, f, testInstallation)
	if _, _, err := client.Git.GetTree(ctx, testOrg, "api", "main", false); err != nil {
		t.Fatal(err) // the token is fetched before the fault is armed
	}
	f.InjectFault(githubfake.Fault{Kind: githubfake.FaultSecondaryRateLimit, Times: 1, RetryAfter: 42 * time.Second, Method: "GET", Path: "/repos/acme/api/git/trees/main"})
	_, _, err := client.Git.GetTree(ctx, testOrg, "api", "main", false)
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) {
		t.Fatalf("err = %T %v, want *github.AbuseRateLimitError", err, err)
	}
	if abuse.RetryAfter == nil || *abuse.RetryAfter != 42*time.Second || !strings.Contains(abuse.Message, "You have exceeded a secondary rate limit") {
		t.Errorf("abuse error = %+v", abuse)
	}
}

func TestFailNextAndConnectionReset(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	tok := token(f, testInstallation)
	f.FailNext(1, githubfake.FaultConnectionReset)
	req, _ := http.NewRequest(http.MethodGet, f.URL()+"repos/acme/api/branches/main", nil)
	req.Header.Set("Authorization", tok)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("connection reset: got status %d, want a transport error", resp.StatusCode)
	}
	if res := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: tok}); res.status != 200 {
		t.Errorf("after the fault: %d", res.status)
	}
	f.InjectFault(githubfake.Fault{Kind: githubfake.FaultInternalError})
	for range 3 {
		if res := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: tok}); res.status != 500 {
			t.Fatalf("permanent fault: %d", res.status)
		}
	}
	f.ClearFaults()
	if res := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: tok}); res.status != 200 {
		t.Errorf("after ClearFaults: %d", res.status)
	}
}
