package webhook

import "slices"

// Metric label values for the event of a delivery. Label values come only from
// this fixed set, never from a request as sent: each distinct value is a series
// kept for the process's life, and anyone can send any X-GitHub-Event.
const (
	// unverifiedEvent labels requests refused before their signature was checked.
	unverifiedEvent = "unverified"
	// otherEvent labels signed deliveries of events the app does not handle.
	otherEvent = "other"
)

// EventLabel is the metric label of a signed delivery's X-GitHub-Event: the
// event's name when the app handles it (or it is a ping), otherwise "other".
func EventLabel(event string) string {
	if event == "ping" || slices.Contains(Events, event) {
		return event
	}
	return otherEvent
}
