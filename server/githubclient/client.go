// Package githubclient is the only package that talks to GitHub's REST API. It
// implements ghport.GitHub over go-githubapp and go-github: installation clients with
// a bounded, revalidating HTTP cache, lazily listed repository snapshots whose blobs
// go through a content-addressed cache, check runs, and the sticky comment.
package githubclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/gregjones/httpcache"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/metrics"
)

const (
	defaultUserAgent    = "goldenpath"
	defaultTimeout      = 30 * time.Second
	defaultCacheEntries = 1000
	// installationClients is how many installation clients (each with its token and
	// HTTP cache view) stay open; one per installation avoids a new token per job.
	installationClients = 256
)

// BlobCache stores git blobs by installation and SHA. A blob's SHA names its
// content, so an entry never goes stale; the store implements it.
type BlobCache interface {
	Blob(ctx context.Context, installationID int64, sha string) ([]byte, bool, error)
	SaveBlobs(ctx context.Context, installationID int64, blobs map[string][]byte) error
}

// Options tune the client. Zero values take defaults.
type Options struct {
	// UserAgent prefixes every request's User-Agent (default "goldenpath").
	UserAgent string
	// Timeout bounds one HTTP request, body included (default 30 s).
	Timeout time.Duration
	// Blobs is the content-addressed blob cache; nil keeps blobs only per snapshot.
	Blobs BlobCache
	// Metrics receives request counts and rate-limit gauges; nil records nothing.
	Metrics *metrics.Metrics
	// CacheEntries bounds the HTTP cache shared by all installations (default
	// 1000 responses); negative disables conditional requests.
	CacheEntries int
	// Fence, when set, is asked before every request goes out; its error fails the
	// request unsent.
	Fence func(*http.Request) error
}

// Client opens installations of the GitHub App. It implements ghport.GitHub.
type Client struct {
	creator githubapp.ClientCreator
	// installs keeps one client, and so one token, per installation; a 401 drops
	// it (forgetRefused) so that the next attempt mints a fresh token.
	installs *lru.Cache[int64, *github.Client]
	app      *github.Client
	appID    int64
	blobs    BlobCache

	rates rateLimits // by installation, from each answer's headers

	// The app's slug names its bot user (<slug>[bot]); read once from GET /app.
	slugMu sync.Mutex
	slug   string
}

var _ ghport.GitHub = (*Client)(nil)

// New builds the client creator for the app described by cfg. The caller fills in
// cfg's defaults (config package); New only refuses what cannot work.
func New(cfg githubapp.Config, opts Options) (*Client, error) {
	if strings.TrimSpace(cfg.V3APIURL) == "" {
		// go-githubapp has no default: every request would fail with
		// "unsupported protocol scheme".
		return nil, errors.New("create GitHub client: github.v3_api_url is empty")
	}
	if cfg.App.IntegrationID == 0 {
		return nil, errors.New("create GitHub client: github.app.integration_id is empty")
	}
	if strings.TrimSpace(cfg.App.PrivateKey) == "" {
		return nil, errors.New("create GitHub client: github.app.private_key is empty")
	}
	if opts.UserAgent == "" {
		opts.UserAgent = defaultUserAgent
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.CacheEntries == 0 {
		opts.CacheEntries = defaultCacheEntries
	}

	// WithClientMiddleware replaces the list: everything goes in this one call.
	c := &Client{appID: cfg.App.IntegrationID, blobs: opts.Blobs}
	installs, err := lru.New[int64, *github.Client](installationClients)
	if err != nil {
		return nil, fmt.Errorf("create GitHub client: %w", err)
	}
	c.installs = installs
	var held *prometheus.CounterVec
	if opts.Metrics != nil {
		held = opts.Metrics.GitHubReserveHeld
	}
	middleware := []githubapp.ClientMiddleware{githubapp.ClientLogging(zerolog.DebugLevel), rateMiddleware(&c.rates, held), c.forgetRefused}
	if opts.Metrics != nil {
		middleware = append(middleware, metricsMiddleware(opts.Metrics))
	}
	base := dropAuthorizationVary(http.DefaultTransport)
	if opts.Fence != nil {
		base = fenced(base, opts.Fence)
	}
	clientOpts := []githubapp.ClientOption{
		githubapp.WithClientUserAgent(opts.UserAgent),
		githubapp.WithClientTimeout(opts.Timeout),
		githubapp.WithClientMiddleware(middleware...),
		// Each installation's cache is its own: its tokens rotate hourly, so the
		// base transport drops Authorization from Vary to keep ETags usable.
		githubapp.WithTransport(base),
	}
	if opts.CacheEntries > 0 {
		store := newResponseCache(opts.CacheEntries, maxCacheBytes)
		// alwaysValidate: GitHub sends max-age=60, and serving a listing up to a
		// minute old could miss the comment we just wrote (a second sticky comment)
		// or a branch that just moved. Revalidating costs a 304, which GitHub does
		// not count against the rate limit.
		clientOpts = append(clientOpts, githubapp.WithClientCaching(true, func() httpcache.Cache { return store.view() }))
	}
	// Not go-githubapp's caching creator: it cannot drop one installation's client.
	creator := githubapp.NewClientCreator(cfg.V3APIURL, cfg.V4APIURL, cfg.App.IntegrationID, []byte(cfg.App.PrivateKey), clientOpts...)
	// Creating the app client parses the private key now rather than at the first job.
	app, err := creator.NewAppClient()
	if err != nil {
		return nil, fmt.Errorf("create GitHub app client: %w", err)
	}
	c.creator, c.app = creator, app
	return c, nil
}

// Installation opens one installation. No request is made: the installation token
// is created on first use, and its failures come back from that call.
func (c *Client) Installation(ctx context.Context, installationID int64) (ghport.Installation, error) {
	gh, ok := c.installs.Get(installationID)
	if !ok {
		var err error
		if gh, err = c.creator.NewInstallationClient(installationID); err != nil {
			return nil, fmt.Errorf("open installation %d: %w", installationID, err)
		}
		c.installs.Add(installationID, gh)
	}
	return &Installation{id: installationID, gh: gh, client: c}, nil
}

// forgetRefused is middleware that drops an installation's client when GitHub
// answers 401 (token expired early or revoked): ghinstallation would otherwise
// send the same token until its stated expiry, and every retry would meet the
// same 401.
func (c *Client) forgetRefused(next http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if id, ok := installationFrom(req.Context()); ok && err == nil && resp.StatusCode == http.StatusUnauthorized {
			c.installs.Remove(id)
		}
		return resp, err
	})
}

// botLogin is the login of the app's bot user, read once from GET /app.
func (c *Client) botLogin(ctx context.Context) (string, error) {
	c.slugMu.Lock()
	defer c.slugMu.Unlock()
	if c.slug == "" {
		app, _, err := c.app.Apps.Get(ctx, "")
		if err != nil {
			return "", classify("read the app's slug", err)
		}
		c.slug = app.GetSlug()
		if c.slug == "" {
			return "", errors.New("read the app's slug: GitHub answered without one")
		}
	}
	return c.slug + "[bot]", nil
}

// Installation is the access of one installation. It implements ghport.Installation.
type Installation struct {
	id     int64
	gh     *github.Client
	client *Client
}

var _ ghport.Installation = (*Installation)(nil)

type installationKey struct{}

// withID tags the context so the metrics middleware can label the rate-limit
// gauges: go-githubapp keeps its own installation key unexported.
func (in *Installation) withID(ctx context.Context) context.Context {
	return context.WithValue(ctx, installationKey{}, in.id)
}

func installationFrom(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(installationKey{}).(int64)
	return id, ok
}
