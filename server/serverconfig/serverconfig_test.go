package serverconfig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/config"
)

var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// pkcs1PEM is a key in the form GitHub issues.
func pkcs1PEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey())}))
}

func pkcs8PEM(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// env is a fake environment for LoadServer's getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// requiredEnv supplies the three settings without defaults, so each test
// states only what it is about.
func requiredEnv() env {
	return env{
		"GITHUB_APP_INTEGRATION_ID": "12345",
		"GITHUB_APP_WEBHOOK_SECRET": "s3cret",
		"GITHUB_APP_PRIVATE_KEY":    pkcs1PEM(),
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "goldenpath.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}

func TestLoadServerDefaults(t *testing.T) {
	s, err := LoadServer(writeFile(t, "# nothing but a comment\n"), requiredEnv().get)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"address", s.HTTP.Address, "127.0.0.1"},
		{"port", s.HTTP.Port, 8080},
		{"addr", s.HTTP.Addr(), "127.0.0.1:8080"},
		{"public_url", s.HTTP.PublicURL, ""},
		{"api_token", s.HTTP.APIToken, ""},
		{"level", s.Logging.Level, "info"},
		{"format", s.Logging.Format, "json"},
		{"web_url", s.GitHub.WebURL, "https://github.com"},
		{"v3_api_url", s.GitHub.V3APIURL, "https://api.github.com/"},
		{"v4_api_url", s.GitHub.V4APIURL, "https://api.github.com/graphql"},
		{"database", s.Database.URL, "sqlite://./goldenpath.db"},
		{"config_repo", s.GoldenPath.ConfigRepo, ".github"},
		{"config_path", s.GoldenPath.ConfigPath, "golden-path.yaml"},
		{"check_name", s.GoldenPath.CheckName, "Golden Path"},
		{"sweep_interval", s.GoldenPath.SweepInterval, 24 * time.Hour},
		{"workers", s.GoldenPath.Workers, 8},
		{"repository_request_budget", s.GoldenPath.RepositoryRequestBudget, 200},
		{"job_rescue_after", s.GoldenPath.JobRescueAfter, 30 * time.Minute},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadServerFullFile(t *testing.T) {
	file := `server:
  address: 0.0.0.0
  port: 9090
  public_url: https://goldenpath.example.com
  api_token: tok
logging:
  level: debug
  format: text
github:
  web_url: https://ghe.example.com
  v3_api_url: https://ghe.example.com/api/v3/
  v4_api_url: https://ghe.example.com/api/graphql
  app:
    integration_id: 42
    webhook_secret: hook
    private_key: |
` + indent(pkcs1PEM(), "      ") + `
  oauth:
    client_id: cid
    client_secret: csecret
database:
  url: postgres://gp:pw@db:5432/gp
goldenpath:
  config_repo: platform-config
  config_path: gp.yaml
  check_name: Paved Road
  sweep_interval: 90m
  workers: 3
  repository_request_budget: 50
  job_rescue_after: 45s
`
	s, err := LoadServer(writeFile(t, file), env{}.get)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"addr", s.HTTP.Addr(), "0.0.0.0:9090"},
		{"public_url", s.HTTP.PublicURL, "https://goldenpath.example.com"},
		{"api_token", s.HTTP.APIToken, "tok"},
		{"level", s.Logging.Level, "debug"},
		{"format", s.Logging.Format, "text"},
		{"web_url", s.GitHub.WebURL, "https://ghe.example.com"},
		{"v3_api_url", s.GitHub.V3APIURL, "https://ghe.example.com/api/v3/"},
		{"v4_api_url", s.GitHub.V4APIURL, "https://ghe.example.com/api/graphql"},
		{"integration_id", s.GitHub.App.IntegrationID, int64(42)},
		{"webhook_secret", s.GitHub.App.WebhookSecret, "hook"},
		{"private_key", strings.TrimSpace(s.GitHub.App.PrivateKey), strings.TrimSpace(pkcs1PEM())},
		{"oauth client_id", s.GitHub.OAuth.ClientID, "cid"},
		{"oauth client_secret", s.GitHub.OAuth.ClientSecret, "csecret"},
		{"database", s.Database.URL, "postgres://gp:pw@db:5432/gp"},
		{"config_repo", s.GoldenPath.ConfigRepo, "platform-config"},
		{"config_path", s.GoldenPath.ConfigPath, "gp.yaml"},
		{"check_name", s.GoldenPath.CheckName, "Paved Road"},
		{"sweep_interval", s.GoldenPath.SweepInterval, 90 * time.Minute},
		{"workers", s.GoldenPath.Workers, 3},
		{"repository_request_budget", s.GoldenPath.RepositoryRequestBudget, 50},
		{"job_rescue_after", s.GoldenPath.JobRescueAfter, 45 * time.Second},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadServerEnvOverrides(t *testing.T) {
	file := `server:
  port: 9090
  api_token: from-file
github:
  web_url: https://file.example.com
  v3_api_url: https://file.example.com/api/v3/
  v4_api_url: https://file.example.com/api/graphql
  app:
    integration_id: 1
    webhook_secret: file-secret
database:
  url: sqlite://./file.db
`
	oneLineKey := strings.ReplaceAll(strings.TrimSpace(pkcs1PEM()), "\n", `\n`)
	tests := []struct {
		name string
		env  env
		got  func(*Server) any
		want any
	}{
		{"GITHUB_WEB_URL", env{"GITHUB_WEB_URL": "https://env.example.com"},
			func(s *Server) any { return s.GitHub.WebURL }, "https://env.example.com"},
		{"GITHUB_V3_API_URL", env{"GITHUB_V3_API_URL": "https://env.example.com/api/v3/"},
			func(s *Server) any { return s.GitHub.V3APIURL }, "https://env.example.com/api/v3/"},
		{"GITHUB_V4_API_URL", env{"GITHUB_V4_API_URL": "https://env.example.com/api/graphql"},
			func(s *Server) any { return s.GitHub.V4APIURL }, "https://env.example.com/api/graphql"},
		{"GITHUB_APP_INTEGRATION_ID", env{"GITHUB_APP_INTEGRATION_ID": "777"},
			func(s *Server) any { return s.GitHub.App.IntegrationID }, int64(777)},
		{"GITHUB_APP_WEBHOOK_SECRET", env{"GITHUB_APP_WEBHOOK_SECRET": "env-secret"},
			func(s *Server) any { return s.GitHub.App.WebhookSecret }, "env-secret"},
		{"GITHUB_APP_PRIVATE_KEY one line with \\n", env{"GITHUB_APP_PRIVATE_KEY": oneLineKey},
			func(s *Server) any { return s.GitHub.App.PrivateKey }, strings.TrimSpace(pkcs1PEM())},
		{"GITHUB_OAUTH_CLIENT_ID", env{"GITHUB_OAUTH_CLIENT_ID": "env-cid"},
			func(s *Server) any { return s.GitHub.OAuth.ClientID }, "env-cid"},
		{"GITHUB_OAUTH_CLIENT_SECRET", env{"GITHUB_OAUTH_CLIENT_SECRET": "env-cs"},
			func(s *Server) any { return s.GitHub.OAuth.ClientSecret }, "env-cs"},
		{"GOLDENPATH_DATABASE_URL", env{"GOLDENPATH_DATABASE_URL": "postgresql://db/gp"},
			func(s *Server) any { return s.Database.URL }, "postgresql://db/gp"},
		{"GOLDENPATH_API_TOKEN", env{"GOLDENPATH_API_TOKEN": "env-token"},
			func(s *Server) any { return s.HTTP.APIToken }, "env-token"},
		{"GOLDENPATH_PORT", env{"GOLDENPATH_PORT": "7000"},
			func(s *Server) any { return s.HTTP.Port }, 7000},
		{"empty variable keeps the file's value", env{"GOLDENPATH_PORT": "", "GOLDENPATH_API_TOKEN": ""},
			func(s *Server) any { return s.HTTP.Addr() + " " + s.HTTP.APIToken }, "127.0.0.1:9090 from-file"},
	}
	path := writeFile(t, file)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env{"GITHUB_APP_PRIVATE_KEY": pkcs1PEM()}
			for k, v := range tt.env {
				e[k] = v
			}
			s, err := LoadServer(path, e.get)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.got(s); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadServerWithoutFile(t *testing.T) {
	s, err := LoadServer("", requiredEnv().get)
	if err != nil {
		t.Fatal(err)
	}
	if s.GitHub.App.IntegrationID != 12345 || s.HTTP.Port != 8080 {
		t.Errorf("got integration_id %d port %d, want 12345 and 8080", s.GitHub.App.IntegrationID, s.HTTP.Port)
	}
}

func TestLoadServerErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  env // merged over requiredEnv; "" deletes a variable
		want string
	}{
		{"unknown key", "server:\n  port: 1\n  prot: 2\n", nil,
			`goldenpath.yaml:3: unknown key "prot" in server`},
		{"unknown github key", "github:\n  app:\n    integration_id: 1\n    secret: x\n", nil,
			`goldenpath.yaml:4: unknown key "secret" in github.app`},
		{"wrong type", "goldenpath:\n  workers: many\n", nil,
			`goldenpath.yaml:2: goldenpath.workers: expected a whole number, found "many"`},
		{"bad duration", "goldenpath:\n  sweep_interval: daily\n", nil,
			`goldenpath.yaml:2: goldenpath.sweep_interval: expected a duration such as 24h, found "daily"`},
		{"duration without unit", "goldenpath:\n  sweep_interval: 60\n", nil,
			`goldenpath.yaml:2: goldenpath.sweep_interval: expected a duration such as 24h, found 60`},
		{"syntax error", "server:\n  port: 1\n    address: x\n", nil,
			`goldenpath.yaml:3: invalid YAML: mapping values are not allowed in this context`},

		{"missing integration_id", "", env{"GITHUB_APP_INTEGRATION_ID": ""},
			"config: github.app.integration_id is required (or set GITHUB_APP_INTEGRATION_ID)"},
		{"negative integration_id", "github:\n  app:\n    integration_id: -4\n", env{"GITHUB_APP_INTEGRATION_ID": ""},
			"config: github.app.integration_id must be a positive integer, got -4"},
		{"missing webhook_secret", "", env{"GITHUB_APP_WEBHOOK_SECRET": ""},
			"config: github.app.webhook_secret is required (or set GITHUB_APP_WEBHOOK_SECRET)"},
		{"missing private_key", "", env{"GITHUB_APP_PRIVATE_KEY": ""},
			"config: github.app.private_key is required (or set GITHUB_APP_PRIVATE_KEY)"},
		{"private key not PEM", "", env{"GITHUB_APP_PRIVATE_KEY": "not a key"},
			"config: github.app.private_key is not a PEM RSA private key: no PEM block found"},
		{"private key is a certificate", "", env{"GITHUB_APP_PRIVATE_KEY": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
			`config: github.app.private_key is not a PEM RSA private key: PEM block is "CERTIFICATE", want "RSA PRIVATE KEY"`},
		{"private key is EC (PKCS#8)", "", env{"GITHUB_APP_PRIVATE_KEY": pkcs8PEM(t, ecKey(t))},
			"config: github.app.private_key is not a PEM RSA private key: the key is *ecdsa.PrivateKey, not RSA"},
		{"private key with corrupt body", "", env{"GITHUB_APP_PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"},
			"config: github.app.private_key is not a PEM RSA private key: "},

		{"port zero", "server:\n  port: 0\n", nil,
			"config: server.port must be a port number from 1 to 65535, got 0"},
		{"port too large", "server:\n  port: 65536\n", nil,
			"config: server.port must be a port number from 1 to 65535, got 65536"},
		{"GOLDENPATH_PORT not a number", "", env{"GOLDENPATH_PORT": "http"},
			`config: GOLDENPATH_PORT must be a port number from 1 to 65535, got "http"`},
		{"GOLDENPATH_PORT out of range", "", env{"GOLDENPATH_PORT": "-1"},
			`config: GOLDENPATH_PORT must be a port number from 1 to 65535, got "-1"`},
		{"GITHUB_APP_INTEGRATION_ID not a number", "", env{"GITHUB_APP_INTEGRATION_ID": "abc"},
			`config: GITHUB_APP_INTEGRATION_ID must be a positive integer, got "abc"`},
		{"GITHUB_APP_INTEGRATION_ID negative", "", env{"GITHUB_APP_INTEGRATION_ID": "-5"},
			`config: GITHUB_APP_INTEGRATION_ID must be a positive integer, got "-5"`},
		{"public_url relative", "server:\n  public_url: goldenpath.example.com\n", nil,
			`config: server.public_url must be an absolute http(s) URL, got "goldenpath.example.com"`},
		{"bad log level", "logging:\n  level: verbose\n", nil,
			`config: logging.level must be debug, info, warn or error, got "verbose"`},
		{"bad log format", "logging:\n  format: xml\n", nil,
			`config: logging.format must be json or text, got "xml"`},
		{"empty web_url", "github:\n  web_url: \"\"\n", nil,
			`config: github.web_url must be an absolute http(s) URL, got ""`},
		{"v3 url without scheme", "", env{"GITHUB_V3_API_URL": "api.github.com"},
			`config: github.v3_api_url must be an absolute http(s) URL, got "api.github.com"`},
		{"v4 url ftp", "github:\n  v4_api_url: ftp://x/graphql\n", nil,
			`config: github.v4_api_url must be an absolute http(s) URL, got "ftp://x/graphql"`},
		{"database mysql", "database:\n  url: mysql://u:pw@h/db\n", nil,
			"config: database.url must start with sqlite://, postgres:// or postgresql://, not mysql://"},
		{"database not a URL", "", env{"GOLDENPATH_DATABASE_URL": "u:pw@h/db"},
			"config: database.url must start with sqlite://, postgres:// or postgresql://"},
		{"empty check_name", "goldenpath:\n  check_name: \" \"\n", nil,
			"config: goldenpath.check_name must not be empty"},
		{"empty config_repo", "goldenpath:\n  config_repo: \"\"\n", nil,
			"config: goldenpath.config_repo must not be empty"},
		{"empty config_path", "goldenpath:\n  config_path: \"\"\n", nil,
			"config: goldenpath.config_path must not be empty"},
		{"zero workers", "goldenpath:\n  workers: 0\n", nil,
			"config: goldenpath.workers must be positive, got 0"},
		{"tiny repository_request_budget", "goldenpath:\n  repository_request_budget: 3\n", nil,
			"config: goldenpath.repository_request_budget must be at least 10, got 3"},
		{"negative sweep_interval", "goldenpath:\n  sweep_interval: -1h\n", nil,
			"config: goldenpath.sweep_interval must be positive, got -1h0m0s"},
		{"zero job_rescue_after", "goldenpath:\n  job_rescue_after: 0s\n", nil,
			"config: goldenpath.job_rescue_after must be positive, got 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := requiredEnv()
			for k, v := range tt.env {
				e[k] = v
			}
			path := writeFile(t, tt.file)
			_, err := LoadServer(path, e.get)
			if err == nil {
				t.Fatalf("LoadServer succeeded, want error %q", tt.want)
			}
			got := strings.ReplaceAll(err.Error(), path, "goldenpath.yaml")
			if strings.HasPrefix(tt.want, "goldenpath.yaml:") {
				// file problems come as *Error behind the "config: " prefix
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Errorf("error %T is not a *config.Error", err)
				}
				tt.want = "config: " + tt.want
			}
			// A want ending in ": " is a prefix (the rest comes from crypto/x509).
			if !strings.HasPrefix(got, tt.want) || (got != tt.want && !strings.HasSuffix(tt.want, ": ")) {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("error spans several lines: %q", got)
			}
			for _, secret := range []string{"s3cret", "pw@"} {
				if strings.Contains(got, secret) {
					t.Errorf("error leaks %q: %s", secret, got)
				}
			}
		})
	}
}

func TestLoadServerAcceptsPKCS8RSAKey(t *testing.T) {
	e := requiredEnv()
	e["GITHUB_APP_PRIVATE_KEY"] = pkcs8PEM(t, rsaKey())
	if _, err := LoadServer("", e.get); err != nil {
		t.Fatal(err)
	}
}

func TestLoadServerFileProblems(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadServer(filepath.Join(t.TempDir(), "absent.yaml"), requiredEnv().get)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want a not-exist error", err)
		}
	})
	t.Run("oversized file", func(t *testing.T) {
		big := "# " + strings.Repeat("x", config.MaxFileSize) + "\n"
		path := writeFile(t, big)
		_, err := LoadServer(path, requiredEnv().get)
		var ce *config.Error
		if !errors.As(err, &ce) || !strings.Contains(ce.Message, "more than the 256 KiB allowed") {
			t.Errorf("got %v, want a size error", err)
		}
	})
}
