package githubfake

import "maps"

// DefaultPermissions are what a new installation grants: the app's default
// manifest (deploy/), which writes checks and issues (the report, and pull
// request comments through the issues API) and only reads contents and pull
// requests. Fix pull requests need contents and pull_requests "write"
// (SetInstallationPermissions).
func DefaultPermissions() map[string]string {
	return map[string]string{
		"checks":        "write",
		"contents":      "read",
		"issues":        "write",
		"metadata":      "read",
		"pull_requests": "read",
	}
}

// SetInstallationPermissions replaces what an installation grants (permission →
// "read" or "write"; a permission left out is not granted). Tokens issued before
// and after follow it at once, as GitHub's do once an owner accepts new permissions.
func (f *Fake) SetInstallationPermissions(id int64, perms map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mustInstallation(id).Permissions = maps.Clone(perms)
}

func permissionsJSON(perms map[string]string) map[string]any {
	out := make(map[string]any, len(perms))
	for k, v := range perms {
		out[k] = v
	}
	return out
}

// docIntegrationAccess is where GitHub's 403 for a missing permission points.
const docIntegrationAccess = "https://docs.github.com/rest/overview/permissions-required-for-github-apps"

// mayWrite reports whether the calling installation holds write access to
// permission. App (JWT) calls never reach the routes that ask.
func (c *call) mayWrite(permission string) bool {
	return c.who.kind != identityInstallation || c.who.inst == nil || c.who.inst.Permissions[permission] == "write"
}
