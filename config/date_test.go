package config

import (
	"encoding/json"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{"2027-03-31", NewDate(2027, time.March, 31), false},
		{"2028-02-29", NewDate(2028, time.February, 29), false},
		{"2027-02-29", Date{}, true}, // not a leap year
		{"2027-3-31", Date{}, true},
		{"31/03/2027", Date{}, true},
		{"2027-03-31T00:00:00Z", Date{}, true},
		{"", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDateOf(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC), "2027-03-31"},
		{time.Date(2027, 4, 1, 1, 0, 0, 0, tokyo), "2027-04-01"}, // 31 March in UTC
	}
	for _, tt := range tests {
		if got := DateOf(tt.t).String(); got != tt.want {
			t.Errorf("DateOf(%s) = %s, want %s", tt.t, got, tt.want)
		}
	}
	if s := (Date{}).String(); s != "" {
		t.Errorf("zero Date prints %q, want empty", s)
	}
}

func TestDateEncodings(t *testing.T) {
	d := NewDate(2027, time.March, 31)

	b, err := json.Marshal(d)
	if err != nil || string(b) != `"2027-03-31"` {
		t.Errorf("json.Marshal = %s, %v", b, err)
	}
	var back Date
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Errorf("json round trip = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"2027-03-31T10:00:00Z"`), &back); err == nil {
		t.Error("json accepted a timestamp")
	}

	y, err := yaml.Marshal(struct{ D Date }{d})
	if err != nil || string(y) != "d: \"2027-03-31\"\n" {
		t.Errorf("yaml.Marshal = %q, %v", y, err)
	}
	var fromYAML struct{ D Date }
	if err := yaml.Unmarshal(y, &fromYAML); err != nil || fromYAML.D != d {
		t.Errorf("yaml round trip = %v, %v", fromYAML.D, err)
	}
}
