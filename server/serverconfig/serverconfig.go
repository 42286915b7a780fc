// Package serverconfig loads the operator's configuration of `goldenpath serve`.
// It lives with the server because its `github:` section is go-githubapp's own
// Config (keys and environment variables exactly as go-githubapp reads them):
// the org configuration in package config stays free of GitHub libraries.
package serverconfig

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/server/store"
)

// Server is the operator's configuration of `goldenpath serve`.
type Server struct {
	HTTP       HTTP             `yaml:"server"`
	Logging    Logging          `yaml:"logging"`
	GitHub     githubapp.Config `yaml:"github"`
	Database   Database         `yaml:"database"`
	GoldenPath GoldenPath       `yaml:"goldenpath"`
}

// HTTP is the `server` section: where the process listens.
type HTTP struct {
	Address   string `yaml:"address"`
	Port      int    `yaml:"port"`
	PublicURL string `yaml:"public_url"` // used in links; optional
	APIToken  string `yaml:"api_token"`  // bearer token for /api/v1; the API is off when empty
}

// Addr is the listen address in net.Listen form.
func (h HTTP) Addr() string { return net.JoinHostPort(h.Address, strconv.Itoa(h.Port)) }

// Logging is the `logging` section.
type Logging struct {
	Level  string `yaml:"level"`  // debug|info|warn|error
	Format string `yaml:"format"` // json|text
}

// Database is the `database` section.
type Database struct {
	URL string `yaml:"url"`
}

// GoldenPath is the `goldenpath` section.
type GoldenPath struct {
	ConfigRepo    string        `yaml:"config_repo"`
	ConfigPath    string        `yaml:"config_path"`
	CheckName     string        `yaml:"check_name"`
	SweepInterval time.Duration `yaml:"sweep_interval"`
	Workers       int           `yaml:"workers"`
	// RepositoryRequestBudget bounds the GitHub requests one repository's
	// evaluation may spend in a sweep (tree listing and blobs); past it the
	// repository is judged on what was read and marked partial.
	RepositoryRequestBudget int `yaml:"repository_request_budget"`
	// JobRescueAfter is River's own rescue: a job still running after it (and
	// after its own timeout) is retried. It is a backstop for a job that hangs on a
	// live process; a dead process's jobs are rescued in seconds by the SQLite
	// lock or the replicas' heartbeats (server/liveness.go). Shorter than a job
	// can run, a job could run twice at once.
	JobRescueAfter time.Duration `yaml:"job_rescue_after"`
}

// minRequestBudget leaves room for a repository's tree, a split of it and a few
// files: below it every large repository would be partial.
const minRequestBudget = 10

// DefaultServer returns the configuration used for every key the file and
// the environment leave unset. It includes GitHub.com's URLs because
// go-githubapp has no defaults and fails on empty ones.
func DefaultServer() *Server {
	s := &Server{
		HTTP:     HTTP{Address: "127.0.0.1", Port: 8080},
		Logging:  Logging{Level: "info", Format: "json"},
		Database: Database{URL: "sqlite://./goldenpath.db"},
		GoldenPath: GoldenPath{
			ConfigRepo:    ".github",
			ConfigPath:    "golden-path.yaml",
			CheckName:     "Golden Path",
			SweepInterval: 24 * time.Hour,
			Workers:       8,
			// A 250,000-file repository lists in about 60 requests.
			RepositoryRequestBudget: 200,
			JobRescueAfter:          30 * time.Minute,
		},
	}
	s.GitHub.WebURL = "https://github.com"
	s.GitHub.V3APIURL = "https://api.github.com/"
	s.GitHub.V4APIURL = "https://api.github.com/graphql"
	return s
}

// LoadServer reads the YAML file at path (strictly: an unknown key is an
// error), applies environment overrides read through getenv (os.Getenv when
// nil) and validates the result. An empty path means "no file": defaults and
// environment only. Every error is one line naming the offending key or
// variable.
func LoadServer(path string, getenv func(string) string) (*Server, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	s := DefaultServer()
	if path != "" {
		if err := config.DecodeFile(path, s); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	if err := s.applyEnv(getenv); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// applyEnv mirrors githubapp.Config.SetValuesFromEnv("") through getenv, so
// tests need not touch the process environment, and adds our own variables.
// An empty variable counts as unset. Unlike go-githubapp, a malformed number
// is an error instead of being ignored.
func (s *Server) applyEnv(getenv func(string) string) error {
	strs := []struct {
		name string
		dst  *string
	}{
		{"GITHUB_WEB_URL", &s.GitHub.WebURL},
		{"GITHUB_V3_API_URL", &s.GitHub.V3APIURL},
		{"GITHUB_V4_API_URL", &s.GitHub.V4APIURL},
		{"GITHUB_APP_WEBHOOK_SECRET", &s.GitHub.App.WebhookSecret},
		{"GITHUB_OAUTH_CLIENT_ID", &s.GitHub.OAuth.ClientID},
		{"GITHUB_OAUTH_CLIENT_SECRET", &s.GitHub.OAuth.ClientSecret},
		{"GOLDENPATH_DATABASE_URL", &s.Database.URL},
		{"GOLDENPATH_API_TOKEN", &s.HTTP.APIToken},
	}
	for _, e := range strs {
		if v := getenv(e.name); v != "" {
			*e.dst = v
		}
	}
	// A PEM key squeezed into one line of an env file arrives with literal
	// "\n" sequences; restore the line breaks PEM needs.
	if k := getenv("GITHUB_APP_PRIVATE_KEY"); k != "" {
		if !strings.Contains(k, "\n") {
			k = strings.ReplaceAll(k, `\n`, "\n")
		}
		s.GitHub.App.PrivateKey = k
	}
	if v := getenv("GITHUB_APP_INTEGRATION_ID"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("config: GITHUB_APP_INTEGRATION_ID must be a positive integer, got %q", v)
		}
		s.GitHub.App.IntegrationID = id
	}
	if v := getenv("GOLDENPATH_PORT"); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil || !validPort(port) {
			return fmt.Errorf("config: GOLDENPATH_PORT must be a port number from 1 to 65535, got %q", v)
		}
		s.HTTP.Port = port
	}
	return nil
}

func validPort(p int) bool { return p >= 1 && p <= 65535 }

// Validate reports the first invalid setting, naming its key. Secrets and
// database URLs are never echoed: they may hold credentials.
func (s *Server) Validate() error {
	if !validPort(s.HTTP.Port) {
		return fmt.Errorf("config: server.port must be a port number from 1 to 65535, got %d", s.HTTP.Port)
	}
	if s.HTTP.PublicURL != "" {
		if err := checkHTTPURL("server.public_url", s.HTTP.PublicURL); err != nil {
			return err
		}
	}
	switch s.Logging.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: logging.level must be debug, info, warn or error, got %q", s.Logging.Level)
	}
	switch s.Logging.Format {
	case "json", "text":
	default:
		return fmt.Errorf("config: logging.format must be json or text, got %q", s.Logging.Format)
	}

	gh := &s.GitHub
	for _, u := range []struct{ key, val string }{
		{"github.web_url", gh.WebURL},
		{"github.v3_api_url", gh.V3APIURL},
		{"github.v4_api_url", gh.V4APIURL},
	} {
		if err := checkHTTPURL(u.key, u.val); err != nil {
			return err
		}
	}
	switch {
	case gh.App.IntegrationID == 0:
		return errors.New("config: github.app.integration_id is required (or set GITHUB_APP_INTEGRATION_ID)")
	case gh.App.IntegrationID < 0:
		return fmt.Errorf("config: github.app.integration_id must be a positive integer, got %d", gh.App.IntegrationID)
	}
	// go-githubapp accepts unsigned webhooks when the secret is empty.
	if gh.App.WebhookSecret == "" {
		return errors.New("config: github.app.webhook_secret is required (or set GITHUB_APP_WEBHOOK_SECRET)")
	}
	if gh.App.PrivateKey == "" {
		return errors.New("config: github.app.private_key is required (or set GITHUB_APP_PRIVATE_KEY)")
	}
	if err := checkRSAKey(gh.App.PrivateKey); err != nil {
		return fmt.Errorf("config: github.app.private_key is not a PEM RSA private key: %v", err)
	}

	if _, _, err := store.ParseURL(s.Database.URL); err != nil {
		return fmt.Errorf("config: database.url %w", err)
	}

	g := &s.GoldenPath
	for _, f := range []struct{ key, val string }{
		{"goldenpath.config_repo", g.ConfigRepo},
		{"goldenpath.config_path", g.ConfigPath},
		{"goldenpath.check_name", g.CheckName},
	} {
		if strings.TrimSpace(f.val) == "" {
			return fmt.Errorf("config: %s must not be empty", f.key)
		}
	}
	if g.SweepInterval <= 0 {
		return fmt.Errorf("config: goldenpath.sweep_interval must be positive, got %s", g.SweepInterval)
	}
	if g.Workers <= 0 {
		return fmt.Errorf("config: goldenpath.workers must be positive, got %d", g.Workers)
	}
	if g.RepositoryRequestBudget < minRequestBudget {
		return fmt.Errorf("config: goldenpath.repository_request_budget must be at least %d, got %d", minRequestBudget, g.RepositoryRequestBudget)
	}
	if g.JobRescueAfter <= 0 {
		return fmt.Errorf("config: goldenpath.job_rescue_after must be positive, got %s", g.JobRescueAfter)
	}
	return nil
}

func checkHTTPURL(key, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("config: %s must be an absolute http(s) URL, got %q", key, raw)
	}
	return nil
}

// checkRSAKey accepts what GitHub issues (PKCS#1, "RSA PRIVATE KEY") and the
// PKCS#8 form of an RSA key, both of which go-githubapp can sign with.
func checkRSAKey(text string) error {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return errors.New("no PEM block found")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return err
		}
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return err
		}
		if _, ok := k.(*rsa.PrivateKey); !ok {
			return fmt.Errorf("the key is %T, not RSA", k)
		}
	default:
		return fmt.Errorf("PEM block is %q, want \"RSA PRIVATE KEY\"", block.Type)
	}
	return nil
}
