package webhook

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// BenchmarkAck measures how long GitHub waits for its answer: signature check,
// routing, and the transaction that records the delivery and queues its job,
// through a real HTTP server on a real database. Deliveries arrive open-loop at a
// fixed rate (as GitHub sends them, whether or not earlier ones were answered),
// each a new pull request head, so every one inserts a job. b.N is the number of
// deliveries; p50 and p99 latencies are reported.
//
//	go test ./server/webhook -run '^$' -bench Ack -benchtime 1000x
func BenchmarkAck(b *testing.B) {
	backends := []struct {
		name string
		url  func(testing.TB) string
	}{{store.KindSQLite, storetest.SQLiteURL}, {store.KindPostgres, storetest.PostgresURL}}
	for _, backend := range backends {
		for _, rate := range []int{100, 200} {
			b.Run(fmt.Sprintf("%s/%d-per-second", backend.name, rate), func(b *testing.B) {
				benchmarkAck(b, backend.url(b), rate)
			})
		}
	}
}

func benchmarkAck(b *testing.B, url string, rate int) {
	st, err := store.Open(b.Context(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	fake := githubfake.New(b)
	fake.AddInstallation(7, "acme")
	fake.AddRepo("acme", "payments")
	fake.Commit("acme", "payments", "main", map[string]string{"README.md": "# payments\n"})
	fake.Commit("acme", "payments", "feature", map[string]string{"main.go": "package main\n"})
	fake.OpenPR("acme", "payments", 1, "feature", "main")
	event := fake.PullRequestEvent("synchronize", "acme", "payments", 1)
	srv := httptest.NewServer(Dispatcher(&Handler{Store: st, ConfigRepo: ".github"}, fake.WebhookSecret, Limits{MaxBody: 25 << 20, Buffered: 100 << 20}, metrics.New()))
	defer srv.Close()

	bodies := make([][]byte, b.N)
	for i := range bodies {
		var sha [20]byte
		_, _ = rand.Read(sha[:])
		pr := event["pull_request"].(map[string]any)
		pr["number"] = i + 2
		pr["head"].(map[string]any)["sha"] = hex.EncodeToString(sha[:])
		if bodies[i], err = json.Marshal(event); err != nil {
			b.Fatal(err)
		}
	}
	latencies := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		wg.Go(func() {
			req := githubfake.SignedRequest(srv.URL, fake.WebhookSecret, "pull_request", fmt.Sprintf("bench-%d", i), bodies[i])
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			latencies[i] = time.Since(start)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Errorf("delivery %d: status %d", i, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op") // the rate, not the code, sets the time per delivery
}

// BenchmarkUnsignedFlood sends 40 concurrent unsigned 24 MB POSTs (the flood that
// OOM-killed the process when bodies were buffered without a shared bound) and
// reports the peak heap in use, with the production budget and without one.
//
//	go test ./server/webhook -run '^$' -bench UnsignedFlood -benchtime 3x
func BenchmarkUnsignedFlood(b *testing.B) {
	const (
		posts = 40
		size  = 24 << 20
	)
	body := bytes.Repeat([]byte("x"), size)
	for _, tt := range []struct {
		name     string
		buffered int64
	}{{"budget-100MB", 100 << 20}, {"unbounded", 1 << 40}} {
		b.Run(tt.name, func(b *testing.B) {
			h := &Handler{ConfigRepo: ".github"} // unsigned posts never reach the store
			srv := httptest.NewServer(Dispatcher(h, "secret", Limits{MaxBody: 25 << 20, Buffered: tt.buffered}, nil))
			defer srv.Close()
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			peak := sampleHeapPeak()
			statuses := map[int]int{}
			var mu sync.Mutex
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				for range posts {
					wg.Go(func() {
						resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
						if err != nil {
							return // the server may close a refused upload mid-body
						}
						resp.Body.Close()
						mu.Lock()
						statuses[resp.StatusCode]++
						mu.Unlock()
					})
				}
				wg.Wait()
			}
			b.StopTimer()
			top := peak()
			b.ReportMetric(float64(top-base.HeapInuse)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(statuses[http.StatusServiceUnavailable])/float64(b.N), "503/op")
		})
	}
}

// sampleHeapPeak samples the heap in use every 2 ms until the returned function
// is called, which gives the highest value seen.
func sampleHeapPeak() func() uint64 {
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-result }
}
