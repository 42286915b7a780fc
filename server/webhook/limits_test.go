package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// hookServer is the webhook endpoint on a real HTTP server and SQLite file.
type hookServer struct {
	url     string
	fake    *githubfake.Fake
	metrics *metrics.Metrics
	event   []byte // a signed pull_request delivery's body
}

func newHookServer(t *testing.T, limits Limits) *hookServer {
	t.Helper()
	st, err := store.Open(t.Context(), storetest.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	fake := githubfake.New(t)
	fake.AddInstallation(7, "acme")
	fake.AddRepo("acme", "payments")
	fake.Commit("acme", "payments", "main", map[string]string{"README.md": "# payments\n"})
	fake.Commit("acme", "payments", "feature", map[string]string{"main.go": "package main\n"})
	fake.OpenPR("acme", "payments", 1, "feature", "main")
	m := metrics.New()
	srv := httptest.NewServer(Dispatcher(&Handler{Store: st, ConfigRepo: ".github"}, fake.WebhookSecret, limits, m))
	t.Cleanup(srv.Close)
	body := fake.PullRequestEvent("synchronize", "acme", "payments", 1)
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return &hookServer{url: srv.URL, fake: fake, metrics: m, event: raw}
}

// deliverSigned sends a genuine delivery and returns its status.
func (h *hookServer) deliverSigned(t *testing.T, event, id string) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(githubfake.SignedRequest(h.url, h.fake.WebhookSecret, event, id, h.event))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// heldPost is an unsigned POST whose body the server has begun to receive and
// whose last bytes wait until finish.
type heldPost struct {
	w      *io.PipeWriter
	sent   chan struct{} // closed once the first half is written (or refused)
	result chan postResult
}

type postResult struct {
	status     int
	retryAfter string
	err        error
}

// startPost sends size bytes unsigned, the first half at once. Content-Length is
// declared unless chunked.
func startPost(t *testing.T, url string, size int, chunked bool) *heldPost {
	r, w := io.Pipe()
	// A failed test must not leave the server waiting for the body.
	t.Cleanup(func() { w.CloseWithError(io.ErrUnexpectedEOF) })
	p := &heldPost{w: w, sent: make(chan struct{}), result: make(chan postResult, 1)}
	req, _ := http.NewRequest("POST", url, r)
	req.Header.Set("X-GitHub-Event", "pull_request")
	req.Header.Set("X-GitHub-Delivery", "attacker")
	if !chunked {
		req.ContentLength = int64(size)
	}
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			p.result <- postResult{err: err}
			return
		}
		resp.Body.Close()
		p.result <- postResult{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	}()
	go func() {
		defer close(p.sent)
		// Errors mean the server stopped reading: it answered already.
		if _, err := w.Write(bytes.Repeat([]byte("x"), size/2)); err != nil {
			w.CloseWithError(err)
		}
	}()
	return p
}

// finish sends the rest of the body and waits for the answer.
func (p *heldPost) finish(t *testing.T, size int) postResult {
	t.Helper()
	go func() {
		<-p.sent
		_, err := p.w.Write(bytes.Repeat([]byte("x"), size-size/2))
		p.w.CloseWithError(err)
	}()
	return p.wait(t)
}

func (p *heldPost) wait(t *testing.T) postResult {
	t.Helper()
	select {
	case res := <-p.result:
		return res
	case <-time.After(20 * time.Second):
		t.Fatal("no answer within 20 s")
		return postResult{}
	}
}

// TestBodyBudget sends many concurrent unsigned big POSTs whose bodies are held
// half sent: only as many as fit the budget are admitted, the others are answered
// 503 with Retry-After at once, and the budget is whole again afterwards.
func TestBodyBudget(t *testing.T) {
	const (
		size     = 1 << 20
		admitted = 4
		posts    = 40
	)
	h := newHookServer(t, Limits{MaxBody: 2 * size, Buffered: admitted * size})

	for round := range 2 { // the second round proves the budget was returned
		held := make([]*heldPost, posts)
		for i := range held {
			held[i] = startPost(t, h.url, size, false)
		}
		// The refused are answered without waiting for their body; the admitted
		// cannot be answered before the rest of theirs arrives.
		var refused, waiting []*heldPost
		deadline := time.After(20 * time.Second)
		for len(refused) < posts-admitted {
			select {
			case <-deadline:
				t.Fatalf("round %d: %d posts refused within 20 s, want %d", round, len(refused), posts-admitted)
			case <-time.After(10 * time.Millisecond):
			}
			waiting = waiting[:0]
			for _, p := range held {
				select {
				case res := <-p.result:
					if res.err != nil || res.status != http.StatusServiceUnavailable || res.retryAfter == "" {
						t.Fatalf("round %d: refused post answered %+v, want 503 with Retry-After", round, res)
					}
					refused = append(refused, p)
					p.result = nil // answered: never ready again
				default:
					if p.result != nil {
						waiting = append(waiting, p)
					}
				}
			}
		}
		if len(waiting) != admitted {
			t.Fatalf("round %d: %d posts admitted, want %d", round, len(waiting), admitted)
		}
		// While the budget is full, a genuine delivery is refused too (GitHub redelivers it).
		if got := h.deliverSigned(t, "pull_request", fmt.Sprintf("while-full-%d", round)); got != http.StatusServiceUnavailable {
			t.Fatalf("round %d: genuine delivery while the budget is full: %d, want 503", round, got)
		}
		for _, p := range waiting {
			if res := p.finish(t, size); res.err != nil || res.status != http.StatusUnauthorized {
				t.Fatalf("round %d: admitted unsigned post answered %+v, want 401", round, res)
			}
		}
		if got := h.deliverSigned(t, "pull_request", fmt.Sprintf("after-%d", round)); got != http.StatusAccepted {
			t.Fatalf("round %d: genuine delivery after the posts: %d, want 202", round, got)
		}
	}
}

func TestBodyBudgetChunked(t *testing.T) {
	const size = 1 << 20
	h := newHookServer(t, Limits{MaxBody: 4 * size, Buffered: 3 * size})
	tests := []struct {
		name string
		size int
		want int
	}{
		{"fits: read whole, then refused for its signature", 2 * size, http.StatusUnauthorized},
		{"over the size limit", 5 * size, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := startPost(t, h.url, tt.size, true).finish(t, tt.size); res.err != nil || res.status != tt.want {
				t.Fatalf("answered %+v, want %d", res, tt.want)
			}
		})
	}
	t.Run("does not fit beside a held body", func(t *testing.T) {
		held := startPost(t, h.url, 2*size, false)
		time.Sleep(200 * time.Millisecond) // let the server reserve the held body
		if res := startPost(t, h.url, 2*size, true).finish(t, 2*size); res.status != http.StatusServiceUnavailable || res.retryAfter == "" {
			t.Fatalf("answered %+v, want 503 with Retry-After", res)
		}
		if res := held.finish(t, 2*size); res.status != http.StatusUnauthorized {
			t.Fatalf("held body answered %+v, want 401", res)
		}
		if got := h.deliverSigned(t, "pull_request", "after-chunked"); got != http.StatusAccepted {
			t.Fatalf("genuine delivery afterwards: %d, want 202", got)
		}
	})
}

// TestDeliveryLabelsAreBounded: no header of a request becomes a label value
// unless its signature was checked and its event is one the app knows.
func TestDeliveryLabelsAreBounded(t *testing.T) {
	h := newHookServer(t, Limits{MaxBody: 1 << 20, Buffered: 4 << 20})
	for i := range 500 {
		req, _ := http.NewRequest("POST", h.url, strings.NewReader(`{"action":"opened"}`))
		req.Header.Set("X-GitHub-Event", fmt.Sprintf("event-%d", i))
		req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("d-%d", i))
		req.Header.Set(signatureHeader, "sha256=00")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for i, event := range []string{"pull_request", "star", "made-up-1", "made-up-2", "ping"} {
		h.deliverSigned(t, event, fmt.Sprintf("signed-%d", i))
	}
	want := map[string]float64{"unverified/401": 500, "pull_request/202": 1, "other/202": 3, "ping/202": 1}
	if got := deliverySeries(t, h.metrics); !maps.Equal(got, want) {
		t.Errorf("goldenpath_webhook_deliveries_total series %v, want %v", got, want)
	}
}

func TestEventLabel(t *testing.T) {
	tests := []struct{ event, want string }{
		{"pull_request", "pull_request"},
		{"installation_repositories", "installation_repositories"},
		{"ping", "ping"},
		{"star", otherEvent},
		{"", otherEvent},
		{"Pull_Request", otherEvent},
		{strings.Repeat("x", 10000), otherEvent},
	}
	for _, tt := range tests {
		if got := EventLabel(tt.event); got != tt.want {
			t.Errorf("EventLabel(%.20q) = %q, want %q", tt.event, got, tt.want)
		}
	}
}

// deliverySeries reads goldenpath_webhook_deliveries_total from the registry as
// "event/status" → count.
func deliverySeries(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "goldenpath_webhook_deliveries_total" {
			continue
		}
		for _, metric := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range metric.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			series[labels["event"]+"/"+labels["status"]] = metric.GetCounter().GetValue()
		}
	}
	return series
}
