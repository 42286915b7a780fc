package githubfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/palantir/go-githubapp/githubapp"
)

// installation is one installation of the app on an organisation, for all its
// repositories.
type installation struct {
	ID          int64
	Account     string // organisation login
	SuspendedAt *time.Time
	CreatedAt   time.Time
	// Permissions are what the owner granted the app (see SetInstallationPermissions).
	Permissions map[string]string
}

type tokenState struct {
	token          string
	installationID int64
	expiresAt      time.Time
}

type identityKind int

const (
	identityAnonymous identityKind = iota
	identityApp
	identityInstallation
)

type identity struct {
	kind identityKind
	inst *installation
}

// One RSA key for every Fake in a test binary: generating 2048-bit keys is slow.
var (
	appKeyOnce sync.Once
	appKey     *rsa.PrivateKey
)

func sharedAppKey() *rsa.PrivateKey {
	appKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("githubfake: generate app key: %v", err))
		}
		appKey = k
	})
	return appKey
}

// PrivateKeyPEM is the app's private key as GitHub hands it out (PKCS#1 PEM).
func (f *Fake) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sharedAppKey())})
}

func (f *Fake) issueToken(installationID int64, now time.Time) *tokenState {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	tok := &tokenState{
		token:          "ghs_" + strings.ToUpper(fmt.Sprintf("%x", b))[:36],
		installationID: installationID,
		expiresAt:      now.Add(time.Hour).Truncate(time.Second),
	}
	f.st.tokens[tok.token] = tok
	return tok
}

// ExpireTokens makes every installation token issued so far invalid (as if an hour
// had passed): requests with them get 401 Bad credentials.
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.st.tokens {
		t.expiresAt = time.Now().Add(-time.Second)
	}
}

// RevokeInstallationTokens makes the tokens issued so far to one installation
// invalid before their stated expiry (revoked, or an expiry the client did not
// expect): requests with them get 401 Bad credentials, and a new token works.
func (f *Fake) RevokeInstallationTokens(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.st.tokens {
		if t.installationID == id {
			t.expiresAt = time.Now().Add(-time.Second)
		}
	}
}

// AddInstallation installs the app on the organisation org, for all its repositories.
func (f *Fake) AddInstallation(id int64, org string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.userID(org)
	f.st.installations[id] = &installation{
		ID:          id,
		Account:     org,
		CreatedAt:   time.Now().UTC().Truncate(time.Second),
		Permissions: DefaultPermissions(),
	}
}

// SuspendInstallation suspends the installation: token requests then get 403.
func (f *Fake) SuspendInstallation(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC().Truncate(time.Second)
	f.mustInstallation(id).SuspendedAt = &now
}

// UnsuspendInstallation restores a suspended installation.
func (f *Fake) UnsuspendInstallation(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mustInstallation(id).SuspendedAt = nil
}

// RemoveInstallation uninstalls the app; its tokens stop working.
func (f *Fake) RemoveInstallation(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.st.installations, id)
	for k, t := range f.st.tokens {
		if t.installationID == id {
			delete(f.st.tokens, k)
		}
	}
}

func (f *Fake) mustInstallation(id int64) *installation {
	inst, ok := f.st.installations[id]
	if !ok {
		f.setupError("no installation %d", id)
	}
	return inst
}

func (f *Fake) sortedInstallations() []*installation {
	var out []*installation
	for _, inst := range f.st.installations {
		out = append(out, inst)
	}
	slices.SortFunc(out, func(a, b *installation) int { return cmpInt64(a.ID, b.ID) })
	return out
}

// installationFor finds the installation that covers the repository, if any.
func (f *Fake) installationFor(rs *repoState) *installation {
	for _, inst := range f.sortedInstallations() {
		if inst.covers(rs) {
			return inst
		}
	}
	return nil
}

func (inst *installation) covers(rs *repoState) bool {
	return strings.EqualFold(inst.Account, rs.Owner)
}

// authenticate checks the Authorization header against what the route accepts and
// answers like GitHub when it does not fit.
func (f *Fake) authenticate(r *http.Request, need authKind, now time.Time) (identity, *response) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return identity{kind: identityAnonymous}, problem(http.StatusUnauthorized, "Requires authentication", "https://docs.github.com/rest")
	}
	scheme, cred, _ := strings.Cut(header, " ")
	cred = strings.TrimSpace(cred)
	if !strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token") || cred == "" {
		return identity{kind: identityAnonymous}, problem(http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
	}
	looksLikeJWT := strings.Count(cred, ".") == 2 && strings.HasPrefix(cred, "eyJ")
	switch {
	case looksLikeJWT && (need == authApp || need == authAny):
		if msg := f.verifyJWT(cred, now); msg != "" {
			return identity{kind: identityAnonymous}, problem(http.StatusUnauthorized, msg, "https://docs.github.com/rest")
		}
		return identity{kind: identityApp}, nil
	case need == authApp:
		// An installation token (or anything else) on an app endpoint.
		return identity{kind: identityAnonymous}, problem(http.StatusUnauthorized, "A JSON web token could not be decoded", "https://docs.github.com/rest")
	}
	tok, ok := f.st.tokens[cred]
	if !ok || !now.Before(tok.expiresAt) {
		return identity{kind: identityAnonymous}, problem(http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
	}
	inst, ok := f.st.installations[tok.installationID]
	if !ok {
		return identity{kind: identityAnonymous}, problem(http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
	}
	return identity{kind: identityInstallation, inst: inst}, nil
}

// verifyJWT checks an app JWT as GitHub does and returns GitHub's message when it is
// not acceptable: RS256 signed by the app key, iss = app ID, iat not in the future
// (60 s of drift allowed), exp in the future and at most 10 minutes ahead.
func (f *Fake) verifyJWT(raw string, now time.Time) string {
	const undecodable = "A JSON web token could not be decoded"
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	_, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &sharedAppKey().PublicKey, nil })
	if err != nil {
		return undecodable
	}
	iat, okIat := numericClaim(claims["iat"])
	if !okIat || iat > float64(now.Add(60*time.Second).Unix()) {
		return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
	}
	exp, okExp := numericClaim(claims["exp"])
	if !okExp || exp <= float64(now.Unix()) {
		return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	}
	if exp > float64(now.Add(10*time.Minute+60*time.Second).Unix()) {
		return "'Expiration time' claim ('exp') is too far in the future"
	}
	var iss string
	switch v := claims["iss"].(type) {
	case string:
		iss = v
	case float64:
		iss = strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		iss = v.String()
	}
	if iss != strconv.FormatInt(f.AppID, 10) {
		return undecodable
	}
	return ""
}

func numericClaim(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n)
	case json.Number:
		x, err := n.Float64()
		return x, err == nil
	}
	return 0, false
}

// --- app endpoints ---

func (f *Fake) getApp(c *call) *response {
	return jsonResponse(http.StatusOK, f.integrationJSON())
}

func (f *Fake) listAppInstallations(c *call) *response {
	var items []any
	for _, inst := range f.sortedInstallations() {
		items = append(items, f.installationJSON(inst))
	}
	return paginate(c, items, func(page []any) any { return page })
}

func (f *Fake) createInstallationToken(c *call) *response {
	inst := c.inst
	if inst.SuspendedAt != nil {
		return problem(http.StatusForbidden, "This installation has been suspended", "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app")
	}
	tok := f.issueToken(inst.ID, time.Now())
	return jsonResponse(http.StatusCreated, map[string]any{
		"token":                tok.token,
		"expires_at":           ts(tok.expiresAt),
		"permissions":          permissionsJSON(inst.Permissions),
		"repository_selection": "all",
	})
}

// reposVisibleTo lists the repositories an installation token reaches, by ID.
func (f *Fake) reposVisibleTo(who identity) []*repoState {
	var out []*repoState
	for _, rs := range f.sortedRepos() {
		if f.canSee(who, rs) {
			out = append(out, rs)
		}
	}
	return out
}

func (f *Fake) canSee(who identity, rs *repoState) bool {
	switch who.kind {
	case identityApp:
		return true
	case identityInstallation:
		return who.inst.covers(rs)
	}
	return false
}

func (f *Fake) listInstallationRepos(c *call) *response {
	var items []any
	for _, rs := range f.reposVisibleTo(c.who) {
		items = append(items, rs)
	}
	return paginate(c, items, func(page []any) any {
		// Only the page is rendered: an organisation of thousands lists in pages.
		repos := make([]any, len(page))
		for i, rs := range page {
			repos[i] = f.repoJSON(rs.(*repoState), repoShapeList)
		}
		return map[string]any{
			"total_count":          len(items),
			"repository_selection": "all",
			"repositories":         repos,
		}
	})
}

func nonNil(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Config is a go-githubapp configuration for the fake: API URLs, app ID, private
// key and webhook secret.
func (f *Fake) Config() githubapp.Config {
	var c githubapp.Config
	c.WebURL = f.WebURL()
	c.V3APIURL = f.URL()
	c.V4APIURL = f.URL() + "graphql"
	c.App.IntegrationID = f.AppID
	c.App.WebhookSecret = f.WebhookSecret
	c.App.PrivateKey = string(f.PrivateKeyPEM())
	return c
}
