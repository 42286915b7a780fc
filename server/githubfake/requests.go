package githubfake

import (
	"net/http"
	"time"
)

// RecordedRequest is one request the fake answered.
type RecordedRequest struct {
	Method string
	// Path is the URL path, e.g. "/repos/acme/api/git/trees/3f2c…".
	Path     string
	RawQuery string
	Status   int
	// InstallationID is the installation whose token made the request (0: none).
	InstallationID int64
	// RateLimited is true when the request spent primary rate-limit budget.
	RateLimited bool
	Time        time.Time
}

// RequestFilter selects recorded requests; zero fields match anything.
type RequestFilter struct {
	Method string
	// Path uses the pattern syntax of Fault.Path ("*" one segment, "**" anything).
	Path   string
	Status int
	// InstallationID, when set, matches requests made with that installation's token.
	InstallationID int64
}

// Match reports whether the request fits the filter.
func (rf RequestFilter) Match(r RecordedRequest) bool {
	if !matchMethodPath(rf.Method, rf.Path, r.Method, r.Path) {
		return false
	}
	if rf.Status != 0 && rf.Status != r.Status {
		return false
	}
	if rf.InstallationID != 0 && rf.InstallationID != r.InstallationID {
		return false
	}
	return true
}

func (f *Fake) record(r *http.Request, resp *response, who identity, counted bool, now time.Time) {
	rec := RecordedRequest{
		Method:      r.Method,
		Path:        r.URL.Path,
		RawQuery:    r.URL.RawQuery,
		Status:      resp.status,
		RateLimited: counted,
		Time:        now,
	}
	if who.inst != nil {
		rec.InstallationID = who.inst.ID
	}
	f.st.requests = append(f.st.requests, rec)
}

// Requests returns every request answered since the start or the last ResetRequests.
func (f *Fake) Requests() []RecordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]RecordedRequest(nil), f.st.requests...)
}

// CountRequests counts the recorded requests that fit the filter.
func (f *Fake) CountRequests(filter RequestFilter) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.st.requests {
		if filter.Match(r) {
			n++
		}
	}
	return n
}

// ResetRequests forgets the recorded requests.
func (f *Fake) ResetRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.requests = nil
}
