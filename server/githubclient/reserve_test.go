package githubclient

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
)

// TestSweepRequestsStopAtTheReserve: once an answer says the installation is down
// to the reserve, a sweep's request is refused before it leaves, with the reset to
// wait for (a team's fix pull requests alike), while other work (a pull request)
// is still sent.
func TestSweepRequestsStopAtTheReserve(t *testing.T) {
	w := newWorld(t)
	// A file per step: a second read of one file would be a free 304.
	w.repo("api", map[string]string{"0": "0", "1": "1", "2": "2", "3": "3", "4": "4"})
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	w.fake.SetInstallationRateLimit(installationID, ghport.RateReserve+2, reset)
	in := w.installation(t)
	sweep := ghport.WithWork(context.Background(), ghport.KindSweep)
	pull := ghport.WithWork(context.Background(), jobargs.PullArgs{}.Kind())
	teamFix := ghport.WithWork(context.Background(), ghport.KindTeamFix)

	tests := []struct {
		name    string
		ctx     context.Context
		refused bool
	}{
		{"a sweep above the reserve", sweep, false},       // 502 left → 501
		{"a sweep above the reserve again", sweep, false}, // 501 → 500
		{"a sweep at the reserve", sweep, true},
		{"a pull request at the reserve", pull, false}, // 500 → 499
		{"a sweep below the reserve", sweep, true},
		{"a team's fix pull request below the reserve", teamFix, true},
	}
	for i, tt := range tests {
		before := w.count("GET", "/repos/acme/api/contents/*")
		_, _, err := in.File(tt.ctx, "acme", "api", "main", strconv.Itoa(i))
		sent := w.count("GET", "/repos/acme/api/contents/*") - before
		var rl *ghport.RateLimitedError
		switch {
		case tt.refused && (!errors.As(err, &rl) || !rl.Until.Equal(reset) || sent != 0):
			t.Errorf("%s: err %v, %d sent; want a local refusal until %s", tt.name, err, sent, reset)
		case !tt.refused && (err != nil || sent != 1):
			t.Errorf("%s: err %v, %d sent; want it sent", tt.name, err, sent)
		}
	}
	if left := w.fake.RateLimitRemaining(installationID); left != ghport.RateReserve-1 {
		t.Errorf("%d left, want %d: only the pull request went below the reserve", left, ghport.RateReserve-1)
	}
}
