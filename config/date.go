package config

import (
	"encoding/json"
	"fmt"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// DateLayout is the only date form configuration files accept.
const DateLayout = "2006-01-02"

// Date is a calendar day, stored as midnight UTC. Configuration dates
// (exemption expiry, enforce_from) name whole days, so comparisons go by
// day, never by instant.
type Date struct{ time.Time }

// NewDate returns the given calendar day.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q, want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// String formats the day as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// UnmarshalYAML accepts a YYYY-MM-DD scalar, quoted or not (unquoted,
// YAML calls it a timestamp, but only the date form is allowed here).
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &Error{Line: n.Line, Column: n.Column, Message: "expected a date (YYYY-MM-DD)"}
	}
	parsed, err := ParseDate(n.Value)
	if err != nil {
		return &Error{Line: n.Line, Column: n.Column, Message: err.Error()}
	}
	*d = parsed
	return nil
}

// MarshalJSON and UnmarshalJSON must be declared too: time.Time's, promoted
// through the embedding, would take precedence over the text methods.

// MarshalJSON writes the day as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalText writes the day as YYYY-MM-DD. It replaces the promoted
// time.Time method, whose RFC 3339 form would carry a meaningless time of
// day into JSON, digests and API output.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD ("" is the zero Date), so a stored
// configuration can be loaded back from JSON.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	parsed, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
