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

// Installation is one installation of the app on an organisation.
type Installation struct {
	ID      int64
	Account string // organisation login
	// RepositorySelection is "all" (every repository of the account) or "selected".
	RepositorySelection string
	// Repositories lists the repository names reachable when the selection is "selected".
	Repositories []string
	SuspendedAt  *time.Time
	CreatedAt    time.Time
	// Permissions are what the owner granted the app (see SetInstallationPermissions).
	Permissions map[string]string
}

type tokenState struct {
	token          string
	installationID int64
	expiresAt      time.Time
	// repoIDs narrows the token to these repositories (POST access_tokens with
	// "repositories"/"repository_ids"); nil means every repository of the installation.
	repoIDs []int64
}

type identityKind int

const (
	identityAnonymous identityKind = iota
	identityApp
	identityInstallation
)

type identity struct {
	kind  identityKind
	inst  *Installation
	token *tokenState
}

func (w identity) String() string {
	switch w.kind {
	case identityApp:
		return "app"
	case identityInstallation:
		return "installation"
	default:
		return "none"
	}
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

// AppJWT signs a JWT for the app like go-githubapp does (iat 30 s in the past,
// exp 9.5 min ahead), for tests that call app endpoints directly.
func (f *Fake) AppJWT() string {
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iat": now.Add(-30 * time.Second).Unix(),
		"exp": now.Add(9*time.Minute + 30*time.Second).Unix(),
		"iss": strconv.FormatInt(f.AppID, 10),
	})
	s, err := tok.SignedString(sharedAppKey())
	if err != nil {
		panic(fmt.Sprintf("githubfake: sign JWT: %v", err))
	}
	return s
}

// InstallationToken issues an installation token directly (no HTTP request), for
// tests that call installation endpoints without go-githubapp.
func (f *Fake) InstallationToken(installationID int64) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issueToken(installationID, nil, time.Now()).token
}

func (f *Fake) issueToken(installationID int64, repoIDs []int64, now time.Time) *tokenState {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	tok := &tokenState{
		token:          "ghs_" + strings.ToUpper(fmt.Sprintf("%x", b))[:36],
		installationID: installationID,
		expiresAt:      now.Add(time.Hour).Truncate(time.Second),
		repoIDs:        repoIDs,
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
	f.st.installations[id] = &Installation{
		ID:                  id,
		Account:             org,
		RepositorySelection: "all",
		CreatedAt:           time.Now().UTC().Truncate(time.Second),
		Permissions:         DefaultPermissions(),
	}
}

// SetInstallationRepositories limits the installation to the named repositories
// (repository_selection "selected"); no names restores "all".
func (f *Fake) SetInstallationRepositories(id int64, names ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inst := f.mustInstallation(id)
	if len(names) == 0 {
		inst.RepositorySelection = "all"
		inst.Repositories = nil
		return
	}
	inst.RepositorySelection = "selected"
	inst.Repositories = slices.Clone(names)
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

// Installations returns copies of the installations, by ID.
func (f *Fake) Installations() []Installation {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Installation
	for _, inst := range f.sortedInstallations() {
		c := *inst
		c.Repositories = slices.Clone(inst.Repositories)
		out = append(out, c)
	}
	return out
}

func (f *Fake) mustInstallation(id int64) *Installation {
	inst, ok := f.st.installations[id]
	if !ok {
		f.setupError("no installation %d", id)
	}
	return inst
}

func (f *Fake) sortedInstallations() []*Installation {
	var out []*Installation
	for _, inst := range f.st.installations {
		out = append(out, inst)
	}
	slices.SortFunc(out, func(a, b *Installation) int { return cmpInt64(a.ID, b.ID) })
	return out
}

// installationFor finds the installation that covers the repository, if any.
func (f *Fake) installationFor(rs *repoState) *Installation {
	for _, inst := range f.sortedInstallations() {
		if inst.covers(rs) {
			return inst
		}
	}
	return nil
}

func (inst *Installation) covers(rs *repoState) bool {
	if !strings.EqualFold(inst.Account, rs.Owner) {
		return false
	}
	if inst.RepositorySelection != "selected" {
		return true
	}
	return slices.ContainsFunc(inst.Repositories, func(n string) bool { return strings.EqualFold(n, rs.Name) })
}

// authenticate checks the Authorization header against what the route accepts and
// answers like GitHub when it does not fit.
func (f *Fake) authenticate(r *http.Request, need authKind, now time.Time) (identity, *response) {
	header := r.Header.Get("Authorization")
	if need == authNone {
		return identity{kind: identityAnonymous}, nil
	}
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
	return identity{kind: identityInstallation, inst: inst, token: tok}, nil
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

func (f *Fake) installationParam(c *call) (*Installation, *response) {
	id, err := strconv.ParseInt(c.param("installation_id"), 10, 64)
	if err != nil {
		return nil, notFound(c.rt.doc)
	}
	inst, ok := f.st.installations[id]
	if !ok {
		return nil, notFound(c.rt.doc)
	}
	return inst, nil
}

func (f *Fake) getAppInstallation(c *call) *response {
	inst, errResp := f.installationParam(c)
	if errResp != nil {
		return errResp
	}
	return jsonResponse(http.StatusOK, f.installationJSON(inst))
}

func (f *Fake) getOrgInstallation(c *call) *response {
	org := c.param("org")
	if org == "" {
		org = c.param("user")
	}
	for _, inst := range f.sortedInstallations() {
		if strings.EqualFold(inst.Account, org) {
			return jsonResponse(http.StatusOK, f.installationJSON(inst))
		}
	}
	return notFound("https://docs.github.com/rest/apps/apps#get-an-organization-installation-for-the-authenticated-app")
}

func (f *Fake) getRepoInstallation(c *call) *response {
	rs, redirect := f.lookupRepo(c)
	if redirect != nil {
		return redirect
	}
	if rs == nil {
		return notFound("https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app")
	}
	inst := f.installationFor(rs)
	if inst == nil {
		return notFound("https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app")
	}
	return jsonResponse(http.StatusOK, f.installationJSON(inst))
}

func (f *Fake) createInstallationToken(c *call) *response {
	inst, errResp := f.installationParam(c)
	if errResp != nil {
		return errResp
	}
	if inst.SuspendedAt != nil {
		return problem(http.StatusForbidden, "This installation has been suspended", "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app")
	}
	var req struct {
		Repositories  []string `json:"repositories"`
		RepositoryIDs []int64  `json:"repository_ids"`
	}
	if bad := c.decode(&req); bad != nil {
		return bad
	}
	var scoped []*repoState
	for _, name := range req.Repositories {
		rs := f.repoByFullName(inst.Account + "/" + name)
		if rs == nil || !inst.covers(rs) {
			return validationError(c.rt.doc, map[string]any{"resource": "Repository", "code": "invalid", "field": "repositories", "message": "There is at least one repository that does not exist or is not accessible to the parent installation."})
		}
		scoped = append(scoped, rs)
	}
	for _, id := range req.RepositoryIDs {
		rs := f.st.repos[id]
		if rs == nil || !inst.covers(rs) {
			return validationError(c.rt.doc, map[string]any{"resource": "Repository", "code": "invalid", "field": "repository_ids", "message": "There is at least one repository that does not exist or is not accessible to the parent installation."})
		}
		scoped = append(scoped, rs)
	}
	var ids []int64
	for _, rs := range scoped {
		ids = append(ids, rs.ID)
	}
	tok := f.issueToken(inst.ID, ids, time.Now())
	body := map[string]any{
		"token":                tok.token,
		"expires_at":           ts(tok.expiresAt),
		"permissions":          permissionsJSON(inst.Permissions),
		"repository_selection": inst.RepositorySelection,
	}
	if len(scoped) > 0 {
		body["repository_selection"] = "selected"
		var repos []any
		for _, rs := range scoped {
			repos = append(repos, f.repoJSON(rs, repoShapeList))
		}
		body["repositories"] = repos
	}
	return jsonResponse(http.StatusCreated, body)
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
		if !who.inst.covers(rs) {
			return false
		}
		if who.token.repoIDs != nil && !slices.Contains(who.token.repoIDs, rs.ID) {
			return false
		}
		return true
	}
	return false
}

func (f *Fake) listInstallationRepos(c *call) *response {
	var items []any
	for _, rs := range f.reposVisibleTo(c.who) {
		items = append(items, rs)
	}
	selection := c.who.inst.RepositorySelection
	return paginate(c, items, func(page []any) any {
		// Only the page is rendered: an organisation of thousands lists in pages.
		repos := make([]any, len(page))
		for i, rs := range page {
			repos[i] = f.repoJSON(rs.(*repoState), repoShapeList)
		}
		return map[string]any{
			"total_count":          len(items),
			"repository_selection": selection,
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
