package githubclient

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gregjones/httpcache"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/metrics"
)

const (
	// maxCacheEntryBytes: larger responses (big trees, comment pages) are not kept;
	// they would evict many small ones that revalidate well.
	maxCacheEntryBytes = 1 << 20
	// maxCacheBytes bounds the whole HTTP cache on top of its entry count.
	maxCacheBytes = 64 << 20
)

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// metricsMiddleware counts requests by method and status, and by installation and
// job kind, and records the installation's rate-limit window. It sits outside
// go-githubapp's cache, which turns a 304 into the cached 200 marked X-From-Cache;
// since every cached entry is revalidated (alwaysValidate), such a response is
// counted as the 304 it was.
func metricsMiddleware(m *metrics.Metrics) githubapp.ClientMiddleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			label := "app"
			if id, ok := installationFrom(r.Context()); ok {
				label = strconv.FormatInt(id, 10)
			}
			kind := ghport.WorkOf(r.Context())
			if kind == "" {
				kind = "none"
			}
			m.GitHubWorkRequests.WithLabelValues(label, kind).Inc()
			resp, err := next.RoundTrip(r)
			if err != nil {
				m.GitHubRequests.WithLabelValues(r.Method, "error").Inc()
				return resp, err
			}
			status := strconv.Itoa(resp.StatusCode)
			if resp.Header.Get(httpcache.XFromCache) != "" {
				status = strconv.Itoa(http.StatusNotModified)
			}
			m.GitHubRequests.WithLabelValues(r.Method, status).Inc()
			if resp.StatusCode == http.StatusUnauthorized {
				return resp, nil // answered under the anonymous budget
			}
			if v, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Remaining"), 64); err == nil {
				m.GitHubRateRemaining.WithLabelValues(label).Set(v)
			}
			if v, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Limit"), 64); err == nil {
				m.GitHubRateLimit.WithLabelValues(label).Set(v)
			}
			if v, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Reset"), 64); err == nil {
				m.GitHubRateReset.WithLabelValues(label).Set(v)
			}
			return resp, nil
		})
	}
}

// rateMiddleware keeps each installation's rate-limit window from the headers of
// its answers, and holds sweep requests at the reserve: a request whose context
// keeps the reserve (ghport.KeepsReserve) is refused locally, with a
// *ghport.RateLimitedError until the reset, once what is left of the window (requests
// in flight counted) is down to ghport.RateReserve. Other work spends below it. held
// counts the refusals by installation; nil counts nothing.
func rateMiddleware(r *rateLimits, held *prometheus.CounterVec) githubapp.ClientMiddleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
			ctx := req.Context()
			id, ok := installationFrom(ctx)
			if !ok {
				ghport.CountRequest(ctx)
				return next.RoundTrip(req)
			}
			if left, until, refused := r.begin(id, ghport.KeepsReserve(ctx), now()); refused {
				if held != nil {
					held.WithLabelValues(strconv.FormatInt(id, 10)).Inc()
				}
				return nil, &ghport.RateLimitedError{Until: until,
					Err: fmt.Errorf("sweep keeps %d requests of installation %d for pull requests (%d left)", ghport.RateReserve, id, left)}
			}
			ghport.CountRequest(ctx)
			resp, err := next.RoundTrip(req)
			remaining, reset, known := -1, time.Time{}, false
			// A 401 is answered under the anonymous budget, not the installation's.
			if err == nil && resp.StatusCode != http.StatusUnauthorized {
				rem, rerr := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
				rs, serr := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
				if rerr == nil && serr == nil {
					remaining, reset, known = rem, time.Unix(rs, 0), true
				}
			}
			r.end(id, remaining, reset, known)
			return resp, err
		})
	}
}

// dropAuthorizationVary removes Authorization from responses' Vary header before
// the HTTP cache sees them. Each installation has its own cache view, so every
// entry was fetched with that installation's credentials; without this, the hourly
// token rotation would make httpcache discard the ETags it holds.
func dropAuthorizationVary(next http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil || resp == nil {
			return resp, err
		}
		vary := resp.Header.Values("Vary")
		if len(vary) == 0 {
			return resp, nil
		}
		var kept []string
		for _, v := range vary {
			for _, name := range strings.Split(v, ",") {
				name = strings.TrimSpace(name)
				if name != "" && !strings.EqualFold(name, "Authorization") {
					kept = append(kept, name)
				}
			}
		}
		resp.Header.Del("Vary")
		if len(kept) > 0 {
			resp.Header.Set("Vary", strings.Join(kept, ", "))
		}
		return resp, nil
	})
}

// responseCache is an LRU of HTTP responses bounded by entry count and total
// bytes, shared by all installations through views with their own key prefix.
type responseCache struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[string, []byte]
	bytes    int
	maxBytes int
	views    atomic.Int64
}

func newResponseCache(entries, maxBytes int) *responseCache {
	c := &responseCache{maxBytes: maxBytes}
	// NewLRU only fails on a size below 1, which the caller rules out.
	c.lru, _ = simplelru.NewLRU[string, []byte](entries, func(_ string, v []byte) { c.bytes -= len(v) })
	return c
}

// view is one installation client's cache. go-githubapp calls the cache factory
// once per client, and the caching client creator keeps one client per installation.
func (c *responseCache) view() httpcache.Cache {
	return &cacheView{store: c, prefix: strconv.FormatInt(c.views.Add(1), 10) + " "}
}

func (c *responseCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Get(key)
}

func (c *responseCache) set(key string, value []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Drop any older version first so the byte count stays exact.
	c.lru.Remove(key)
	if len(value) > maxCacheEntryBytes {
		return
	}
	c.lru.Add(key, value)
	c.bytes += len(value)
	for c.bytes > c.maxBytes && c.lru.Len() > 1 {
		c.lru.RemoveOldest()
	}
}

func (c *responseCache) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(key)
}

type cacheView struct {
	store  *responseCache
	prefix string
}

func (v *cacheView) Get(key string) ([]byte, bool) { return v.store.get(v.prefix + key) }

func (v *cacheView) Set(key string, value []byte) {
	// Blobs are content-addressed and kept by the BlobCache; a copy here would
	// only push out responses that revalidate.
	if strings.Contains(key, "/git/blobs/") {
		return
	}
	v.store.set(v.prefix+key, value)
}

func (v *cacheView) Delete(key string) { v.store.remove(v.prefix + key) }
