package githubfake_test

import (
	"crypto/rand"
	"crypto/rsa"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

func signJWT(t *testing.T, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}

func TestAuthentication(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	key, err := jwt.ParseRSAPrivateKeyFromPEM(f.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	iss := strconv.FormatInt(f.AppID, 10)
	valid := jwt.MapClaims{"iat": now.Add(-30 * time.Second).Unix(), "exp": now.Add(9 * time.Minute).Unix(), "iss": iss}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range valid {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	other := githubfake.New(t)
	other.AddInstallation(99, "globex")
	other.AddRepo("globex", "secret")
	otherToken := token(f, testInstallation)

	tests := []struct {
		name        string
		call        rawCall
		wantStatus  int
		wantMessage string
	}{
		{"app endpoint with valid JWT", rawCall{path: "/app", auth: signJWT(t, key, valid)}, 200, ""},
		{"app endpoint without auth", rawCall{path: "/app"}, 401, "Requires authentication"},
		{"app endpoint with installation token", rawCall{path: "/app/installations", auth: token(f, testInstallation)}, 401, "A JSON web token could not be decoded"},
		{"JWT signed by another key", rawCall{path: "/app", auth: signJWT(t, otherKey, valid)}, 401, "A JSON web token could not be decoded"},
		{"JWT with another issuer", rawCall{path: "/app", auth: signJWT(t, key, with("iss", "1"))}, 401, "A JSON web token could not be decoded"},
		{"numeric issuer", rawCall{path: "/app", auth: signJWT(t, key, with("iss", f.AppID))}, 200, ""},
		{"expired JWT", rawCall{path: "/app", auth: signJWT(t, key, with("exp", now.Add(-time.Minute).Unix()))}, 401, "'Expiration time' claim ('exp') must be a numeric value"},
		{"JWT without exp", rawCall{path: "/app", auth: signJWT(t, key, with("exp", nil))}, 401, "'Expiration time' claim"},
		{"JWT exp too far ahead", rawCall{path: "/app", auth: signJWT(t, key, with("exp", now.Add(time.Hour).Unix()))}, 401, "is too far in the future"},
		{"JWT issued in the future", rawCall{path: "/app", auth: signJWT(t, key, with("iat", now.Add(5*time.Minute).Unix()))}, 401, "'Issued at' claim ('iat')"},
		{"garbage bearer", rawCall{path: "/app", auth: "Bearer eyJhbGciOi.x.y"}, 401, "A JSON web token could not be decoded"},
		{"installation endpoint with token", rawCall{path: "/repos/acme/api/branches/main", auth: token(f, testInstallation)}, 200, ""},
		{"installation endpoint with bearer token", rawCall{path: "/repos/acme/api/branches/main", auth: "Bearer " + f.InstallationToken(testInstallation)}, 200, ""},
		{"installation endpoint without auth", rawCall{path: "/repos/acme/api/branches/main"}, 401, "Requires authentication"},
		{"unknown token", rawCall{path: "/repos/acme/api/branches/main", auth: "token ghs_nope"}, 401, "Bad credentials"},
		{"JWT on installation endpoint", rawCall{path: "/repos/acme/api/branches/main", auth: signJWT(t, key, valid)}, 401, "Bad credentials"},
		{"token of another fake", rawCall{path: "/repos/globex/secret/branches/main", auth: token(other, 99)}, 401, "Bad credentials"},
		{"repository outside the installation", rawCall{path: "/repos/globex/secret/branches/main", auth: otherToken}, 404, "Not Found"},
		{"unknown route", rawCall{path: "/nope/nothing", auth: otherToken}, 404, "Not Found"},
		{"unknown route without auth", rawCall{path: "/nope/nothing"}, 404, "Not Found"},
		{"unknown method", rawCall{method: "DELETE", path: "/repos/acme/api/branches/main", auth: otherToken}, 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, f, tt.call)
			if res.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", res.status, tt.wantStatus, res.body)
			}
			if res.header.Get("X-RateLimit-Limit") == "" || res.header.Get("X-RateLimit-Resource") != "core" {
				t.Errorf("missing rate-limit headers: %v", res.header)
			}
			if tt.wantMessage == "" {
				return
			}
			body := res.json(t)
			if msg, _ := body["message"].(string); !strings.Contains(msg, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.wantMessage)
			}
			if body["documentation_url"] == nil {
				t.Errorf("no documentation_url in %s", res.body)
			}
			if res.header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("content type %q", res.header.Get("Content-Type"))
			}
		})
	}
}

func TestInstallationTokenFlow(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	res := do(t, f, rawCall{method: "POST", path: "/app/installations/7/access_tokens", auth: "Bearer " + f.AppJWT()})
	if res.status != 201 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	body := res.json(t)
	tok, _ := body["token"].(string)
	expires, err := time.Parse(time.RFC3339, body["expires_at"].(string))
	if !strings.HasPrefix(tok, "ghs_") || err != nil || time.Until(expires) < 59*time.Minute || time.Until(expires) > time.Hour {
		t.Fatalf("token %q expires %v (%v)", tok, expires, err)
	}
	if got := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: "token " + tok}); got.status != 200 {
		t.Errorf("token use: %d", got.status)
	}
	f.RevokeInstallationTokens(testInstallation + 1)
	if got := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: "token " + tok}); got.status != 200 {
		t.Errorf("token of another installation revoked: %d, want 200", got.status)
	}
	f.RevokeInstallationTokens(testInstallation)
	if got := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: "token " + tok}); got.status != 401 {
		t.Errorf("revoked token: %d, want 401", got.status)
	}
	f.ExpireTokens()
	if got := do(t, f, rawCall{path: "/repos/acme/api/branches/main", auth: "token " + tok}); got.status != 401 {
		t.Errorf("expired token: %d, want 401", got.status)
	}
	// go-githubapp fetches a fresh token once the old one has expired.
	client := installationClient(t, f, testInstallation)
	if _, _, err := client.Git.GetTree(ctx, testOrg, "api", "main", false); err != nil {
		t.Fatal(err)
	}
	if n := f.CountRequests(githubfake.RequestFilter{Method: "POST", Path: "/app/installations/*/access_tokens"}); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}

	if res := do(t, f, rawCall{method: "POST", path: "/app/installations/404/access_tokens", auth: "Bearer " + f.AppJWT()}); res.status != 404 {
		t.Errorf("unknown installation: %d, want 404 (%s)", res.status, res.body)
	}

	f.SuspendInstallation(testInstallation)
	if res := do(t, f, rawCall{method: "POST", path: "/app/installations/7/access_tokens", auth: "Bearer " + f.AppJWT()}); res.status != 403 {
		t.Errorf("suspended installation: %d, want 403", res.status)
	}
}

func TestAppEndpoints(t *testing.T) {
	w := newWorld(t)
	f := w.fake
	f.AddInstallation(8, "globex")
	f.AddRepo("globex", "site")
	client := appClient(t, f)
	app, _, err := client.Apps.Get(ctx, "")
	if err != nil || app.GetID() != f.AppID || app.GetSlug() != f.AppSlug {
		t.Fatalf("app = %+v, %v", app, err)
	}
	insts, _, err := client.Apps.ListInstallations(ctx, nil)
	if err != nil || len(insts) != 2 || insts[0].GetID() != testInstallation || insts[0].GetAccount().GetLogin() != testOrg {
		t.Fatalf("installations = %v, %v", insts, err)
	}
}
