package setup

// Manifest is a GitHub App manifest: the JSON document posted as the
// `manifest` form field to GitHub's app-manifest flow. The JSON field names
// are GitHub's (see "Registering a GitHub App from a manifest"); the yaml tags
// let a test compare it with deploy/github-app.yaml, the same document
// written for registering by hand.
type Manifest struct {
	Name               string            `json:"name" yaml:"name"`
	URL                string            `json:"url" yaml:"url"`
	Description        string            `json:"description,omitempty" yaml:"description"`
	HookAttributes     HookAttributes    `json:"hook_attributes" yaml:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url" yaml:"redirect_url"`
	Public             bool              `json:"public" yaml:"public"`
	DefaultPermissions map[string]string `json:"default_permissions" yaml:"default_permissions"`
	DefaultEvents      []string          `json:"default_events" yaml:"default_events"`
}

// HookAttributes is the manifest's webhook.
type HookAttributes struct {
	URL    string `json:"url" yaml:"url"`
	Active bool   `json:"active" yaml:"active"`
}

// WebhookPath is where `goldenpath serve` receives GitHub's webhooks.
const WebhookPath = "/api/github/hook"

// WithFixes is m asking also for what "Fix it for me" pull requests need:
// pushing their branch (contents: write) and opening and closing them
// (pull_requests: write). Without fixes the app writes neither: comments go
// through the issues API.
func (m Manifest) WithFixes() Manifest {
	perms := make(map[string]string, len(m.DefaultPermissions))
	for k, v := range m.DefaultPermissions {
		perms[k] = v
	}
	perms["contents"], perms["pull_requests"] = "write", "write"
	m.DefaultPermissions = perms
	return m
}

// DefaultManifest returns the app's manifest with deploy/github-app.yaml's
// placeholder URLs; Run fills in the real ones. It must stay equal to that
// file apart from the URLs (TestManifestMatchesDeploy checks it).
//
// installation and installation_repositories reach every GitHub App without
// a subscription (and cannot be listed); ping comes when the hook is created.
func DefaultManifest() Manifest {
	return Manifest{
		Name: "Golden Path Bot",
		URL:  "https://goldenpath.example.com",
		Description: "Checks every repository against the organisation's golden path (catalog, docs, " +
			"ownership, CI, IaC, security, operations, measurement), reports on pull requests " +
			"with a check run and one sticky comment, and keeps an adoption report issue up to date.",
		HookAttributes: HookAttributes{URL: "https://goldenpath.example.com" + WebhookPath, Active: true},
		RedirectURL:    "https://goldenpath.example.com/setup/callback",
		Public:         false,
		DefaultPermissions: map[string]string{
			"checks":        "write",
			"contents":      "read",
			"issues":        "write",
			"pull_requests": "read",
			"metadata":      "read",
		},
		DefaultEvents: []string{
			"check_run",
			"check_suite",
			"issues",
			"pull_request",
			"push",
			"repository",
		},
	}
}
