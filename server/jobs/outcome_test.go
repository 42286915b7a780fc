package jobs

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/ghport"
)

func TestSuspendedWaitGrows(t *testing.T) {
	for _, tc := range []struct {
		snoozes int
		want    time.Duration
	}{
		{0, 30 * time.Second},
		{1, time.Minute},
		{2, 2 * time.Minute},
		{3, 4 * time.Minute},
		{4, 8 * time.Minute},
		{5, 10 * time.Minute},
		{60, 10 * time.Minute},
	} {
		if got := suspendedWait(tc.snoozes); got != tc.want {
			t.Errorf("suspendedWait(%d) = %v, want %v", tc.snoozes, got, tc.want)
		}
	}
}

func TestDoubtGone(t *testing.T) {
	notFound := fmt.Errorf("read tree: %w", ghport.ErrGone)
	forbidden := fmt.Errorf("create check run: %w: %w", ghport.ErrForbidden, ghport.ErrGone)
	other := errors.New("502")
	for _, tc := range []struct {
		name     string
		err      error
		attempt  int
		wantGone bool
		wantIs   bool // the result still wraps ErrGone (outcome cancels it)
	}{
		{"404 on the first attempt is retried", notFound, 1, false, false},
		{"404 on the third attempt is retried", notFound, goneAttempts - 1, false, false},
		{"404 on the last attempt is believed", notFound, goneAttempts, true, true},
		{"403 on the first attempt is retried", forbidden, 1, false, false},
		{"403 on the last attempt is believed", forbidden, goneAttempts, true, true},
		{"other errors pass", other, 1, false, false},
		{"success passes", nil, 1, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, gone := doubtGone(tc.err, tc.attempt)
			if gone != tc.wantGone || errors.Is(got, ghport.ErrGone) != tc.wantIs || (tc.err == nil) != (got == nil) {
				t.Errorf("doubtGone(%v, %d) = %v, %v", tc.err, tc.attempt, got, gone)
			}
		})
	}
}

func TestLastFailure(t *testing.T) {
	boom := errors.New("500 from GitHub")
	tests := []struct {
		name                 string
		res                  error
		attempt, maxAttempts int
		want                 bool
	}{
		{"success", nil, 12, 12, false},
		{"failure with attempts left", boom, 3, 12, false},
		{"failure on the last attempt", boom, 12, 12, true},
		{"snooze on the last attempt", river.JobSnooze(time.Minute), 12, 12, false},
		{"cancelled", river.JobCancel(boom), 1, 12, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lastFailure(tt.res, tt.attempt, tt.maxAttempts); got != tt.want {
				t.Fatalf("lastFailure = %v, want %v", got, tt.want)
			}
		})
	}
}
