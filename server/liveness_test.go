package server

import (
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestLivenessFence(t *testing.T) {
	for _, c := range []struct {
		name       string
		heartbeats bool
		lastBeat   time.Duration // ago; 0: never beat
		wantLapsed bool
	}{
		{"SQLite has no heartbeat", false, time.Hour, false},
		{"fresh heartbeat", true, time.Second, false},
		{"not started yet", true, 0, false},
		{"heartbeat older than the lease", true, selfLease + time.Second, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var exits []int
			l := &liveness{log: zerolog.New(io.Discard), heartbeats: c.heartbeats, exit: func(code int) { exits = append(exits, code) }}
			if c.lastBeat > 0 {
				l.lastBeat = time.Now().Add(-c.lastBeat)
			}
			req, _ := http.NewRequest(http.MethodPatch, "https://api.github.com/repos/o/r/check-runs/1", nil)
			for range 2 {
				err := l.fence(req)
				if got := errors.Is(err, errLapsed); got != c.wantLapsed {
					t.Errorf("fence = %v, want lapsed %v", err, c.wantLapsed)
				}
			}
			if want := map[bool]int{true: 1}[c.wantLapsed]; len(exits) != want || (want == 1 && exits[0] != 1) {
				t.Errorf("exits %v, want %d exit with status 1", exits, want)
			}
		})
	}
}
