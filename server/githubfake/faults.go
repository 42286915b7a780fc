package githubfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	installationRateLimit = 5000
	appRateLimit          = 5000
	anonymousRateLimit    = 60
)

// budget is one primary rate-limit window.
type budget struct {
	limit     int
	remaining int
	reset     time.Time
}

func (b *budget) refresh(now time.Time) {
	if !now.Before(b.reset) {
		b.remaining = b.limit
		b.reset = now.Add(time.Hour).Truncate(time.Second)
	}
}

func (b *budget) spend() {
	if b.remaining > 0 {
		b.remaining--
	}
}

func (b *budget) writeHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(b.limit-b.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

func budgetKey(who identity) string {
	switch who.kind {
	case identityInstallation:
		return "installation:" + strconv.FormatInt(who.inst.ID, 10)
	case identityApp:
		return "app"
	}
	return "anonymous"
}

func (f *Fake) budgetFor(who identity, now time.Time) *budget {
	key := budgetKey(who)
	b, ok := f.st.budgets[key]
	if !ok {
		b = &budget{limit: anonymousRateLimit, remaining: anonymousRateLimit, reset: now.Add(time.Hour).Truncate(time.Second)}
		switch who.kind {
		case identityApp:
			b.limit, b.remaining = appRateLimit, appRateLimit
		case identityInstallation:
			b.limit, b.remaining = installationRateLimit, installationRateLimit
		}
		f.st.budgets[key] = b
	}
	b.refresh(now)
	return b
}

// SetInstallationRateLimit sets the primary rate-limit budget of one installation.
func (f *Fake) SetInstallationRateLimit(installationID int64, remaining int, reset time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	limit := max(installationRateLimit, remaining)
	f.st.budgets["installation:"+strconv.FormatInt(installationID, 10)] = &budget{limit: limit, remaining: remaining, reset: reset}
}

// RateLimitRemaining is what X-RateLimit-Remaining would say for the installation now.
func (f *Fake) RateLimitRemaining(installationID int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	inst := &installation{ID: installationID}
	return f.budgetFor(identity{kind: identityInstallation, inst: inst}, time.Now()).remaining
}

func (f *Fake) primaryRateLimited(who identity, doc string) *response {
	msg := "API rate limit exceeded"
	switch who.kind {
	case identityInstallation:
		msg = fmt.Sprintf("API rate limit exceeded for installation ID %d.", who.inst.ID)
	case identityApp:
		msg = fmt.Sprintf("API rate limit exceeded for app ID %d.", f.AppID)
	}
	msg += " If you reach out to GitHub Support for help, please include the request ID " + f.requestID() + "."
	return problem(http.StatusForbidden, msg, "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
}

func (f *Fake) requestID() string {
	return fmt.Sprintf("FA4E:%04X:%06X", f.st.requestCounter%0xffff, f.st.requestCounter+1)
}

// FaultKind is what an injected fault answers.
type FaultKind int

const (
	// FaultInternalError answers 500 Internal Server Error.
	FaultInternalError FaultKind = iota + 1
	// FaultBadGateway answers 502 Bad Gateway.
	FaultBadGateway
	// FaultSecondaryRateLimit answers 403 with Retry-After and GitHub's
	// "You have exceeded a secondary rate limit" body.
	FaultSecondaryRateLimit
	// FaultConnectionReset closes the connection without an answer.
	FaultConnectionReset
	// FaultNotFound answers 404 Not Found, as a replica that has not yet seen a
	// commit does.
	FaultNotFound
	// FaultEmptyRepository answers 409 "Git Repository is empty.", as git data
	// endpoints do for a repository without commits.
	FaultEmptyRepository
	// FaultUnauthorized answers 401 "Bad credentials", as GitHub does for a token
	// revoked or expired before the client expected.
	FaultUnauthorized
	// FaultForbidden answers 403 "Resource not accessible by integration", as
	// GitHub does when the installation lacks a permission (or, briefly, while a
	// permission change propagates).
	FaultForbidden
)

// Fault fails matching requests (after authentication, before the rate limit).
// Injected faults do not spend the primary rate-limit budget.
type Fault struct {
	// Method matches the HTTP method; empty matches any.
	Method string
	// Path matches the URL path: "*" stands for one path segment (or part of one),
	// "**" for any run of characters; empty matches any path.
	Path string
	Kind FaultKind
	// Times is how many matching requests fail; 0 or less means every one, forever.
	Times int
	// RetryAfter is sent with a secondary rate limit (default 60 s).
	RetryAfter time.Duration

	hits int
}

// InjectFault adds a fault; faults are tried in the order they were added.
func (f *Fake) InjectFault(ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := ft
	f.st.faults = append(f.st.faults, &c)
}

// FailNext fails the next n API requests, whatever they are, with kind.
func (f *Fake) FailNext(n int, kind FaultKind) {
	f.InjectFault(Fault{Kind: kind, Times: n})
}

// ClearFaults removes every injected fault.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.faults = nil
}

func (f *Fake) takeFault(r *http.Request) *response {
	for i, ft := range f.st.faults {
		if !matchMethodPath(ft.Method, ft.Path, r.Method, r.URL.Path) {
			continue
		}
		ft.hits++
		if ft.Times > 0 && ft.hits >= ft.Times {
			f.st.faults = append(f.st.faults[:i:i], f.st.faults[i+1:]...)
		}
		return f.faultResponse(ft)
	}
	return nil
}

func (f *Fake) faultResponse(ft *Fault) *response {
	switch ft.Kind {
	case FaultBadGateway:
		return problem(http.StatusBadGateway, "Server Error", "")
	case FaultSecondaryRateLimit:
		after := ft.RetryAfter
		if after <= 0 {
			after = time.Minute
		}
		resp := problem(http.StatusForbidden,
			"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID "+f.requestID()+".",
			"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
		resp.header.Set("Retry-After", strconv.Itoa(int((after+time.Second-1)/time.Second)))
		return resp
	case FaultConnectionReset:
		return &response{status: 0, header: http.Header{}, hijack: true}
	case FaultNotFound:
		return notFound("")
	case FaultEmptyRepository:
		return gitRepositoryEmpty("")
	case FaultUnauthorized:
		return problem(http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
	case FaultForbidden:
		return problem(http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest")
	default:
		return problem(http.StatusInternalServerError, "Server Error", "")
	}
}

// matchMethodPath reports whether a request fits a method and a path pattern.
func matchMethodPath(method, pattern, reqMethod, reqPath string) bool {
	if method != "" && !strings.EqualFold(method, reqMethod) {
		return false
	}
	return pattern == "" || globMatch(pattern, reqPath)
}

// globMatch matches s against a pattern where "**" matches anything and "*"
// matches anything but "/".
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	if strings.HasPrefix(pattern, "**") {
		rest := pattern[2:]
		for i := 0; i <= len(s); i++ {
			if globMatch(rest, s[i:]) {
				return true
			}
		}
		return false
	}
	if pattern[0] == '*' {
		rest := pattern[1:]
		for i := 0; i <= len(s); i++ {
			if globMatch(rest, s[i:]) {
				return true
			}
			if i < len(s) && s[i] == '/' {
				break
			}
		}
		return false
	}
	if s == "" || pattern[0] != s[0] {
		return false
	}
	return globMatch(pattern[1:], s[1:])
}
