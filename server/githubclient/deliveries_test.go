package githubclient

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/githubfake"
)

func TestHookDeliveries(t *testing.T) {
	w := newWorld(t)
	// 250 deliveries a minute apart, the newest a minute ago; every fifth failed.
	newest := time.Now().UTC().Truncate(time.Second).Add(-time.Minute)
	for i := 249; i >= 0; i-- {
		code := 202
		if i%5 == 0 {
			code = 502
		}
		w.fake.AddDelivery(githubfake.Delivery{GUID: guid(i), Event: "pull_request", StatusCode: code, DeliveredAt: newest.Add(-time.Duration(i) * time.Minute)})
	}
	tests := []struct {
		name      string
		since     time.Time
		limit     int
		want      int // the newest ones
		wantPages int
	}{
		{"every page, following the cursor", time.Time{}, 1000, 250, 3},
		{"stops at the limit", time.Time{}, 120, 120, 2},
		{"stops at since", newest.Add(-30 * time.Minute), 1000, 31, 1},
		{"since on the second page", newest.Add(-149 * time.Minute), 1000, 150, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.fake.ResetRequests()
			got, err := w.client.HookDeliveries(context.Background(), tt.since, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("%d deliveries, want %d", len(got), tt.want)
			}
			for i, d := range got {
				code := 202
				if i%5 == 0 {
					code = 502
				}
				if d.ID == 0 || d.GUID != guid(i) || d.Event != "pull_request" || d.StatusCode != code || d.Redelivery ||
					!d.DeliveredAt.Equal(newest.Add(-time.Duration(i)*time.Minute)) {
					t.Fatalf("delivery %d = %+v, want %s answered %d at %s", i, d, guid(i), code, newest.Add(-time.Duration(i)*time.Minute))
				}
			}
			if n := w.count("GET", "/app/hook/deliveries"); n != tt.wantPages {
				t.Errorf("%d pages requested, want %d", n, tt.wantPages)
			}
		})
	}
}

func guid(i int) string { return fmt.Sprintf("delivery-%d", i) }

func TestRedeliver(t *testing.T) {
	tests := []struct {
		name    string
		arrange func(f *githubfake.Fake)
		id      func(id int64) int64
		check   func(t *testing.T, err error)
	}{
		{name: "accepted", check: func(t *testing.T, err error) {
			if err != nil {
				t.Fatalf("Redeliver: %v", err)
			}
		}},
		{name: "unknown delivery is gone", id: func(id int64) int64 { return id + 1000 }, check: func(t *testing.T, err error) { wantGone(t, err, time.Time{}) }},
		{
			name:    "server error is retried",
			arrange: func(f *githubfake.Fake) { f.FailNext(1, githubfake.FaultBadGateway) },
			check:   func(t *testing.T, err error) { wantPlain("redeliver webhook delivery ")(t, err, time.Time{}) },
		},
		{
			name: "secondary rate limit is waited out",
			arrange: func(f *githubfake.Fake) {
				f.InjectFault(githubfake.Fault{Path: "/app/hook/deliveries/*/attempts", Kind: githubfake.FaultSecondaryRateLimit, Times: 1})
			},
			check: func(t *testing.T, err error) {
				var rl *ghport.RateLimitedError
				if !errors.As(err, &rl) || !rl.Secondary {
					t.Fatalf("err = %v, want a secondary RateLimitedError", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			id := w.fake.RecordDelivery("d-1", "pull_request", 0)
			if tt.arrange != nil {
				tt.arrange(w.fake)
			}
			if tt.id != nil {
				id = tt.id(id)
			}
			err := w.client.Redeliver(context.Background(), id)
			tt.check(t, err)
			redelivered := 0
			for _, d := range w.fake.Deliveries() {
				if d.GUID == "d-1" && d.Redelivery {
					redelivered++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[err == nil]; redelivered != want {
				t.Errorf("%d redeliveries recorded, want %d", redelivered, want)
			}
		})
	}
}
