// Package setup registers the Golden Path GitHub App through GitHub's
// app-manifest flow and writes the server configuration file for it.
//
// Run serves a one-page site on a local port. Its page posts the app manifest
// to GitHub (`{web}/organizations/ORG/settings/apps/new?state=STATE`); once the
// operator confirms there, GitHub sends the browser back to the local
// /callback with a temporary code, which Run exchanges for the app's id,
// webhook secret and private key (`POST {api}/app-manifests/{code}/conversions`)
// and writes into the config file with mode 0600.
package setup

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Result describes the registered app. It holds no secret: those are only
// in the config file.
type Result struct {
	AppID      int64
	Slug       string
	Name       string
	Owner      string
	HTMLURL    string // the app's page on GitHub
	InstallURL string // where to install it: HTMLURL/installations/new
	WebhookURL string
	ConfigPath string // absolute path of the file written
}

type outcome struct {
	res *Result
	err error
}

// flow is one setup session.
type flow struct {
	plan     *plan
	ctx      context.Context
	state    string
	local    string          // http://127.0.0.1:PORT/
	hosts    map[string]bool // accepted Host headers; nil accepts any
	manifest string          // JSON

	mu      sync.Mutex
	claimed bool // a callback with the right state is being handled
	done    chan outcome
}

// Run registers the app: it serves the setup page on opts.Listen, calls ready
// with its URL (for the operator to open in a browser), and returns once
// GitHub has sent the browser back and the config file is written, or ctx is
// done. A callback with the wrong state is answered 400 and waiting goes on.
// When the config file cannot be written after the app was created, the
// configuration is saved to a temporary file, named in the error, and the
// Result is returned with that error.
func Run(ctx context.Context, opts Options, ready func(url string)) (*Result, error) {
	p, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	state, err := randomToken()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", p.listen)
	if err != nil {
		return nil, fmt.Errorf("setup page: %v", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	host := "127.0.0.1"
	if !addr.IP.IsUnspecified() {
		host = addr.IP.String()
	}
	port := strconv.Itoa(addr.Port)
	f := &flow{
		plan:  p,
		ctx:   ctx,
		state: state,
		local: "http://" + net.JoinHostPort(host, port) + "/",
		done:  make(chan outcome, 1),
	}
	if addr.IP.IsLoopback() {
		// Only pages of this machine's loopback names may talk to the
		// server: a DNS-rebinding page elsewhere must not read the state.
		f.hosts = map[string]bool{}
		for _, h := range []string{host, "127.0.0.1", "localhost", "::1"} {
			f.hosts[net.JoinHostPort(h, port)] = true
		}
	}
	m := p.manifest()
	m.URL = p.publicURL
	m.HookAttributes.URL = p.webhookURL
	m.RedirectURL = f.local + "callback"
	b, err := json.Marshal(m)
	if err != nil {
		ln.Close()
		return nil, err
	}
	f.manifest = string(b)

	srv := &http.Server{
		Handler:           f.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if ready != nil {
		ready(f.local)
	}

	var out outcome
	cancelled := false
	select {
	case out = <-f.done:
	case <-ctx.Done():
		cancelled = true
		out.err = fmt.Errorf("setup stopped before GitHub sent the browser back: %v", context.Cause(ctx))
	case err := <-served:
		out.err = fmt.Errorf("setup page: %v", err)
	}
	// Shutdown lets the callback that finished the flow send its page.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if cancelled {
		select { // a callback that completed meanwhile wins
		case o := <-f.done:
			out = o
		default:
		}
	}
	return out.res, out.err
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating the state: %v", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func (f *flow) finish(res *Result, err error) {
	select {
	case f.done <- outcome{res, err}:
	default:
	}
}

func (f *flow) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", f.start)
	mux.HandleFunc("GET /callback", f.callback)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
		if f.hosts != nil && !f.hosts[strings.ToLower(r.Host)] {
			http.Error(w, "unexpected Host header; open "+f.local, http.StatusMisdirectedRequest)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// start serves the page whose form posts the manifest to GitHub.
func (f *flow) start(w http.ResponseWriter, _ *http.Request) {
	p := f.plan
	action := p.webURL + "/organizations/" + url.PathEscape(p.org) + "/settings/apps/new?state=" + url.QueryEscape(f.state)
	m := p.manifest()
	render(w, http.StatusOK, startPage, map[string]any{
		"Org":         p.org,
		"Name":        m.Name,
		"Action":      action,
		"Manifest":    f.manifest,
		"WebhookURL":  p.webhookURL,
		"Permissions": m.DefaultPermissions,
		"Events":      m.DefaultEvents,
		"Output":      p.output,
		"WebURL":      p.webURL,
	})
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,200}$`)

// callback is where GitHub sends the browser back with ?code=&state=.
func (f *flow) callback(w http.ResponseWriter, r *http.Request) {
	// The callback URL holds a one-time code: keep it out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		f.problem(w, http.StatusBadRequest, "This link is not from this setup session",
			"The state parameter does not match the one this setup sent to GitHub, so the code was not used.")
		return
	}
	code := q.Get("code")
	if !codePattern.MatchString(code) {
		f.problem(w, http.StatusBadRequest, "GitHub's code is missing",
			"The callback has no valid code parameter.")
		return
	}
	f.mu.Lock()
	claimed := f.claimed
	f.claimed = true
	f.mu.Unlock()
	if claimed {
		f.problem(w, http.StatusConflict, "Setup is already finishing",
			"Another tab already brought GitHub's code back; see that tab and the terminal.")
		return
	}

	p := f.plan
	app, err := convert(f.ctx, p.client, p.apiURL, code)
	if err != nil {
		render(w, http.StatusBadGateway, failedPage, map[string]any{"Title": "GitHub did not hand over the app", "Message": err.Error()})
		f.finish(nil, err)
		return
	}
	res := &Result{
		AppID:      app.ID,
		Slug:       app.Slug,
		Name:       app.Name,
		Owner:      app.Owner.Login,
		HTMLURL:    app.HTMLURL,
		WebhookURL: p.webhookURL,
		ConfigPath: p.output,
	}
	if res.Name == "" {
		res.Name = res.Slug
	}
	if !isHTTPURL(res.HTMLURL) {
		res.HTMLURL = p.webURL + "/apps/" + url.PathEscape(app.Slug)
	}
	res.InstallURL = strings.TrimRight(res.HTMLURL, "/") + "/installations/new"

	data, err := renderConfig(p, app)
	switch {
	case err != nil:
		res.ConfigPath = ""
		err = fmt.Errorf("the app %q (id %d) was created, but %v", res.Name, res.AppID, err)
	default:
		if err = writeConfig(p.output, data, p.force); err == nil {
			break
		}
		// The private key is shown only once: never drop it.
		if saved, rerr := rescueConfig(data); rerr == nil {
			res.ConfigPath = saved
			err = fmt.Errorf("%v; the app %q (id %d) was created and its configuration saved to %s instead", err, res.Name, res.AppID, saved)
		} else {
			res.ConfigPath = ""
			err = fmt.Errorf("%v; the app %q (id %d) was created but its configuration could not be saved (%v): generate a new private key at %s", err, res.Name, res.AppID, rerr, res.HTMLURL)
		}
	}
	if err != nil {
		render(w, http.StatusInternalServerError, failedPage, map[string]any{"Title": "The app was created, but setup did not finish", "Message": err.Error()})
		f.finish(res, err)
		return
	}
	render(w, http.StatusOK, donePage, map[string]any{
		"Org":        p.org,
		"Result":     res,
		"WebhookURL": p.webhookURL,
	})
	f.finish(res, nil)
}

func (f *flow) problem(w http.ResponseWriter, status int, title, msg string) {
	render(w, status, failedPage, map[string]any{"Title": title, "Message": msg, "Local": f.local})
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
