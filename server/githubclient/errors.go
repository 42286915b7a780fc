package githubclient

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/ghport"
)

// defaultRetryAfter is waited out when GitHub asks us to back off without saying
// for how long (GitHub's own advice for secondary limits is at least a minute).
const defaultRetryAfter = time.Minute

// now is replaced in tests.
var now = time.Now

// classify turns a go-github error into what the jobs act on, naming what was
// being done:
//   - rate limits become *ghport.RateLimitedError with the time to wait until;
//   - 404/410 wrap ghport.ErrGone, and so does a 403 that is not a rate limit (a
//     missing permission), which also wraps ghport.ErrForbidden: retrying cannot help;
//   - a token request refused (403/401: installation suspended) wraps
//     ghport.ErrSuspended, one answered 404 (installation deleted) ghport.ErrGone;
//   - a 401 on an API call (token expired mid-job) is retried with a fresh token;
//   - anything else (5xx, network errors, 422) is returned wrapped, to be retried.
//
// Installation token failures arrive as a ghinstallation.HTTPError around GitHub's
// answer, which is read like any other API answer.
func classify(what string, err error) error {
	if err == nil {
		return nil
	}
	var tokenErr *ghinstallation.HTTPError
	if errors.As(err, &tokenErr) && tokenErr.Response != nil {
		switch tokenErr.Response.StatusCode {
		case http.StatusForbidden, http.StatusUnauthorized:
			// A suspended installation: restored, its work must still happen.
			if !isRateLimitAnswer(tokenErr.Response) {
				return fmt.Errorf("%s: create installation token: %w: %w", what, ghport.ErrSuspended, tokenError(tokenErr))
			}
		case http.StatusNotFound:
			// The installation was deleted: forget its work.
			return fmt.Errorf("%s: create installation token: %w: %w", what, ghport.ErrGone, tokenError(tokenErr))
		}
		err = fmt.Errorf("create installation token: %w", tokenError(tokenErr))
	}

	var primary *github.RateLimitError
	if errors.As(err, &primary) {
		return rateLimited(what, err, primary.Rate.Reset.Time, false)
	}
	var secondary *github.AbuseRateLimitError
	if errors.As(err, &secondary) {
		wait := defaultRetryAfter
		if secondary.RetryAfter != nil && *secondary.RetryAfter > 0 {
			wait = *secondary.RetryAfter
		}
		return rateLimited(what, err, now().Add(wait), true)
	}
	var apiErr *github.ErrorResponse
	if errors.As(err, &apiErr) && apiErr.Response != nil {
		h := apiErr.Response.Header
		switch code := apiErr.Response.StatusCode; {
		case code == http.StatusTooManyRequests && h.Get("X-RateLimit-Remaining") == "0":
			return rateLimited(what, err, resetTime(h), false)
		case code == http.StatusTooManyRequests,
			code == http.StatusForbidden && (h.Get("Retry-After") != "" || strings.Contains(strings.ToLower(apiErr.Message), "secondary rate limit")):
			// A secondary limit go-github did not recognise (other documentation URL).
			return rateLimited(what, err, now().Add(retryAfter(h)), true)
		case code == http.StatusUnauthorized:
			// The token expired mid-job: a retry gets a fresh one.
			return fmt.Errorf("%s: token refused: %w", what, err)
		case code == http.StatusForbidden:
			return fmt.Errorf("%s: %w: %w: %w", what, ghport.ErrForbidden, ghport.ErrGone, err)
		case code == http.StatusNotFound, code == http.StatusGone:
			return fmt.Errorf("%s: %w: %w", what, ghport.ErrGone, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func rateLimited(what string, err error, until time.Time, secondary bool) error {
	if until.IsZero() {
		until = now().Add(defaultRetryAfter)
	}
	return &ghport.RateLimitedError{Until: until, Secondary: secondary, Err: fmt.Errorf("%s: %w", what, err)}
}

// tokenError reads the answer to a failed installation token request.
func tokenError(e *ghinstallation.HTTPError) error {
	resp := e.Response
	if resp.Body == nil {
		return e
	}
	defer resp.Body.Close()
	if apiErr := github.CheckResponse(resp); apiErr != nil {
		return apiErr
	}
	return e
}

func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return defaultRetryAfter
}

func resetTime(h http.Header) time.Time {
	if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && s > 0 {
		return time.Unix(s, 0)
	}
	return time.Time{}
}

// isRateLimitAnswer reports a 403/429 that is a rate limit rather than a refusal.
func isRateLimitAnswer(resp *http.Response) bool {
	h := resp.Header
	return resp.StatusCode == http.StatusTooManyRequests || h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0"
}

// isNotFound reports a plain 404 answer (not a failed token request).
func isNotFound(err error) bool {
	var apiErr *github.ErrorResponse
	return errors.As(err, &apiErr) && apiErr.Response != nil && apiErr.Response.StatusCode == http.StatusNotFound
}
