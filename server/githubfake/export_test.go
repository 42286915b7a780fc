package githubfake

import (
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// Helpers for the package's own tests, which call endpoints directly.

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
	return f.issueToken(installationID, time.Now()).token
}

// RepoID is the repository's ID, which GitHub's redirects for renamed repositories name.
func (f *Fake) RepoID(org, name string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mustRepo(org, name).ID
}
