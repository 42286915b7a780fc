package setup

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultWebURL = "https://github.com"
	DefaultAPIURL = "https://api.github.com/"
	DefaultListen = "127.0.0.1:0"
	DefaultOutput = "goldenpath-server-config.yaml"
)

// Options configure Run.
type Options struct {
	// Org is the organisation that will own the app.
	Org string
	// WebURL is GitHub's web address; default https://github.com.
	WebURL string
	// APIURL is GitHub's REST API base; default https://api.github.com/ for
	// github.com, https://api.SUB.ghe.com/ for SUB.ghe.com and WebURL/api/v3/
	// for GitHub Enterprise Server.
	APIURL string
	// WebhookURL is the public URL GitHub will post webhooks to, such as
	// https://goldenpath.example.com/api/github/hook. A bare origin gets
	// /api/github/hook appended.
	WebhookURL string
	// Output is the config file to write; default goldenpath-server-config.yaml (a name
	// that cannot be taken for the organisation's golden-path.yaml).
	Output string
	// Force allows Output to be replaced.
	Force bool
	// Fixes asks for the write permissions of fix pull requests (see
	// Manifest.WithFixes).
	Fixes bool
	// Listen is the local address of the setup page; default 127.0.0.1:0.
	Listen string
	// HTTPClient talks to GitHub's API; default a client with a 30s timeout.
	HTTPClient *http.Client
}

// plan is Options checked and completed.
type plan struct {
	org        string
	webURL     string // no trailing slash
	apiURL     string // trailing slash
	graphQLURL string
	webhookURL string
	publicURL  string // WebhookURL without /api/github/hook
	output     string // absolute
	force      bool
	fixes      bool
	listen     string
	client     *http.Client
}

// Validate checks opts the way Run does before it starts, so a command line
// can report bad flags as usage errors. Errors are one line.
func Validate(opts Options) error {
	_, err := resolve(opts)
	return err
}

// orgName: GitHub's rules for account names (letters, digits and hyphens, at
// most 39, no hyphen first or last). Consecutive hyphens are allowed: some
// older accounts have them.
var orgName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$`)

func resolve(opts Options) (*plan, error) {
	p := &plan{org: opts.Org, force: opts.Force, fixes: opts.Fixes, client: opts.HTTPClient}
	if p.org == "" {
		return nil, errors.New("the organisation is required (--org ORG)")
	}
	if !orgName.MatchString(p.org) {
		return nil, fmt.Errorf("invalid organisation name %q: use 1 to 39 letters, digits or hyphens, not starting or ending with a hyphen", p.org)
	}

	web := opts.WebURL
	if web == "" {
		web = DefaultWebURL
	}
	wu, err := parseBaseURL("GitHub URL", web)
	if err != nil {
		return nil, err
	}
	wu.Path = strings.TrimRight(wu.Path, "/")
	p.webURL = wu.String()

	if opts.APIURL != "" {
		au, err := parseBaseURL("GitHub API URL", opts.APIURL)
		if err != nil {
			return nil, err
		}
		p.apiURL = au.String()
	} else {
		p.apiURL = apiURLFor(wu)
	}
	if !strings.HasSuffix(p.apiURL, "/") {
		p.apiURL += "/"
	}
	p.graphQLURL = graphQLURLFor(p.apiURL)

	if p.webhookURL, p.publicURL, err = checkWebhookURL(opts.WebhookURL); err != nil {
		return nil, err
	}

	out := opts.Output
	if out == "" {
		out = DefaultOutput
	}
	if p.output, err = filepath.Abs(out); err != nil {
		return nil, fmt.Errorf("output %s: %v", out, err)
	}
	if err := checkOutput(p.output, opts.Force); err != nil {
		return nil, err
	}

	p.listen = opts.Listen
	if p.listen == "" {
		p.listen = DefaultListen
	}
	if _, _, err := net.SplitHostPort(p.listen); err != nil {
		return nil, fmt.Errorf("invalid listen address %q: want HOST:PORT such as 127.0.0.1:8765", p.listen)
	}
	if p.client == nil {
		p.client = &http.Client{Timeout: 30 * time.Second}
	}
	return p, nil
}

func parseBaseURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("invalid %s %q: want an absolute http(s) URL without query", what, raw)
	}
	return u, nil
}

// apiURLFor derives the REST API base from GitHub's web URL.
func apiURLFor(web *url.URL) string {
	host := strings.ToLower(web.Hostname())
	switch {
	case host == "github.com":
		return DefaultAPIURL
	case strings.HasSuffix(host, ".ghe.com"): // GitHub Enterprise Cloud with data residency
		return web.Scheme + "://api." + web.Host + "/"
	default: // GitHub Enterprise Server
		return web.String() + "/api/v3/"
	}
}

// graphQLURLFor derives the GraphQL endpoint from the REST API base, as
// go-githubapp needs both.
func graphQLURLFor(api string) string {
	if base, ok := strings.CutSuffix(api, "/api/v3/"); ok {
		return base + "/api/graphql"
	}
	return api + "graphql"
}

// checkWebhookURL returns the webhook URL (with /api/github/hook appended to
// a bare origin) and the server's public URL (the part before that path).
func checkWebhookURL(raw string) (webhook, public string, err error) {
	if raw == "" {
		return "", "", errors.New("the webhook URL is required (--webhook-url https://HOST" + WebhookPath + ")")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.RawQuery != "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && isLocalHost(u.Hostname()))) {
		return "", "", fmt.Errorf("invalid webhook URL %q: want https://HOST%s (http:// only for localhost), without query", raw, WebhookPath)
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if path == "" {
		path = WebhookPath
	}
	prefix, ok := strings.CutSuffix(path, WebhookPath)
	if !ok {
		return "", "", fmt.Errorf("invalid webhook URL %q: its path must end in %s, where goldenpath serve receives webhooks", raw, WebhookPath)
	}
	origin := u.Scheme + "://" + u.Host
	return origin + path, origin + prefix, nil
}

func isLocalHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// checkOutput refuses, before anything is registered on GitHub, an output
// that could not be written afterwards.
func checkOutput(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("output %s is a directory", path)
	case err == nil && !force:
		return fmt.Errorf("output %s already exists; use --force to replace it", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("output %s: %v", path, cause(err))
	}
	dir := filepath.Dir(path)
	if di, err := os.Stat(dir); err != nil || !di.IsDir() {
		return fmt.Errorf("output directory %s does not exist", dir)
	}
	return nil
}

// cause drops the operation and paths a *fs.PathError or *os.LinkError
// repeats.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// manifest is the manifest this setup registers.
func (p *plan) manifest() Manifest {
	if p.fixes {
		return DefaultManifest().WithFixes()
	}
	return DefaultManifest()
}
