package githubclient

import (
	"fmt"
	"net/http"
)

// fenced asks fence before each request leaves for GitHub and fails the request
// with its error: a replica whose jobs may be running elsewhere must write nothing.
func fenced(next http.RoundTripper, fence func(*http.Request) error) http.RoundTripper {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		if err := fence(r); err != nil {
			return nil, fmt.Errorf("%s %s not sent: %w", r.Method, r.URL.Path, err)
		}
		return next.RoundTrip(r)
	})
}
