package setup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "exists.yaml")
	if err := os.WriteFile(existing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	base := Options{Org: "acme", WebhookURL: testWebhook, Output: filepath.Join(dir, "out.yaml")}
	for _, tc := range []struct {
		name                       string
		edit                       func(*Options)
		wantErr                    string
		api, graphql, hook, public string
	}{
		{name: "defaults", edit: func(*Options) {},
			api: "https://api.github.com/", graphql: "https://api.github.com/graphql", hook: testWebhook, public: "https://goldenpath.example.com"},
		{name: "bare origin gets the hook path", edit: func(o *Options) { o.WebhookURL = "https://gp.example.com/" },
			api: "https://api.github.com/", graphql: "https://api.github.com/graphql", hook: "https://gp.example.com/api/github/hook", public: "https://gp.example.com"},
		{name: "path prefix", edit: func(o *Options) { o.WebhookURL = "https://example.com/gp/api/github/hook" },
			api: "https://api.github.com/", graphql: "https://api.github.com/graphql", hook: "https://example.com/gp/api/github/hook", public: "https://example.com/gp"},
		{name: "http on localhost", edit: func(o *Options) { o.WebhookURL = "http://localhost:8080/api/github/hook" },
			api: "https://api.github.com/", graphql: "https://api.github.com/graphql", hook: "http://localhost:8080/api/github/hook", public: "http://localhost:8080"},
		{name: "GitHub Enterprise Server", edit: func(o *Options) { o.WebURL = "https://ghe.corp.example/" },
			api: "https://ghe.corp.example/api/v3/", graphql: "https://ghe.corp.example/api/graphql", hook: testWebhook, public: "https://goldenpath.example.com"},
		{name: "GHE.com", edit: func(o *Options) { o.WebURL = "https://octo.ghe.com" },
			api: "https://api.octo.ghe.com/", graphql: "https://api.octo.ghe.com/graphql", hook: testWebhook, public: "https://goldenpath.example.com"},
		{name: "explicit API URL", edit: func(o *Options) { o.APIURL = "http://127.0.0.1:9/x" },
			api: "http://127.0.0.1:9/x/", graphql: "http://127.0.0.1:9/x/graphql", hook: testWebhook, public: "https://goldenpath.example.com"},
		{name: "org with hyphens", edit: func(o *Options) { o.Org = "my-org-2" },
			api: "https://api.github.com/", graphql: "https://api.github.com/graphql", hook: testWebhook, public: "https://goldenpath.example.com"},

		{name: "no org", edit: func(o *Options) { o.Org = "" }, wantErr: "the organisation is required"},
		{name: "org leading hyphen", edit: func(o *Options) { o.Org = "-acme" }, wantErr: "invalid organisation name"},
		{name: "org trailing hyphen", edit: func(o *Options) { o.Org = "acme-" }, wantErr: "invalid organisation name"},
		{name: "org too long", edit: func(o *Options) { o.Org = strings.Repeat("a", 40) }, wantErr: "invalid organisation name"},
		{name: "org with slash", edit: func(o *Options) { o.Org = "acme/x" }, wantErr: "invalid organisation name"},
		{name: "org with underscore", edit: func(o *Options) { o.Org = "ac_me" }, wantErr: "invalid organisation name"},
		{name: "no webhook", edit: func(o *Options) { o.WebhookURL = "" }, wantErr: "the webhook URL is required"},
		{name: "http webhook", edit: func(o *Options) { o.WebhookURL = "http://gp.example.com/api/github/hook" }, wantErr: "http:// only for localhost"},
		{name: "relative webhook", edit: func(o *Options) { o.WebhookURL = "/api/github/hook" }, wantErr: "invalid webhook URL"},
		{name: "webhook with credentials", edit: func(o *Options) { o.WebhookURL = "https://u:p@gp.example.com/api/github/hook" }, wantErr: "invalid webhook URL"},
		{name: "webhook elsewhere", edit: func(o *Options) { o.WebhookURL = "https://gp.example.com/hook" }, wantErr: "must end in /api/github/hook"},
		{name: "bad GitHub URL", edit: func(o *Options) { o.WebURL = "github.com" }, wantErr: "invalid GitHub URL"},
		{name: "existing output", edit: func(o *Options) { o.Output = existing }, wantErr: "already exists; use --force"},
		{name: "output is a directory", edit: func(o *Options) { o.Output = dir; o.Force = true }, wantErr: "is a directory"},
		{name: "output directory missing", edit: func(o *Options) { o.Output = filepath.Join(dir, "no", "x.yaml") }, wantErr: "does not exist"},
		{name: "bad listen", edit: func(o *Options) { o.Listen = "8765" }, wantErr: "invalid listen address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.edit(&o)
			p, err := resolve(o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("resolve = %v, want an error containing %q", err, tc.wantErr)
				}
				if Validate(o) == nil {
					t.Error("Validate accepts what resolve refuses")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.apiURL != tc.api || p.graphQLURL != tc.graphql || p.webhookURL != tc.hook || p.publicURL != tc.public {
				t.Errorf("resolve = api %q graphql %q hook %q public %q\nwant       %q %q %q %q",
					p.apiURL, p.graphQLURL, p.webhookURL, p.publicURL, tc.api, tc.graphql, tc.hook, tc.public)
			}
			if p.listen != DefaultListen || p.client == nil || !filepath.IsAbs(p.output) {
				t.Errorf("defaults not applied: listen %q client %v output %q", p.listen, p.client, p.output)
			}
		})
	}
}
