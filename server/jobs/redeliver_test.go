package jobs

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

func TestFailedDeliveries(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	tests := []struct {
		name string
		list []ghport.HookDelivery // newest first, as GitHub lists them
		want []int64               // ids to redeliver
	}{
		{"nothing listed", nil, nil},
		{"delivered", []ghport.HookDelivery{{ID: 1, GUID: "a", StatusCode: 202, DeliveredAt: ago(time.Hour)}}, nil},
		{"not connected, bad gateway and 500 are sent again, oldest first", []ghport.HookDelivery{
			{ID: 3, GUID: "c", StatusCode: 500, DeliveredAt: ago(time.Minute)},
			{ID: 2, GUID: "b", StatusCode: 502, DeliveredAt: ago(time.Hour)},
			{ID: 1, GUID: "a", StatusCode: 0, DeliveredAt: ago(time.Hour)},
		}, []int64{1, 2, 3}},
		{"the app's own 4xx is not", []ghport.HookDelivery{
			{ID: 2, GUID: "b", StatusCode: 400, DeliveredAt: ago(time.Hour)},
			{ID: 1, GUID: "a", StatusCode: 401, DeliveredAt: ago(time.Hour)},
		}, nil},
		{"a later attempt delivered it", []ghport.HookDelivery{
			{ID: 2, GUID: "a", StatusCode: 202, Redelivery: true, DeliveredAt: ago(2 * time.Hour)},
			{ID: 1, GUID: "a", StatusCode: 0, DeliveredAt: ago(3 * time.Hour)},
		}, nil},
		{"redelivered recently", []ghport.HookDelivery{
			{ID: 2, GUID: "a", StatusCode: 0, Redelivery: true, DeliveredAt: ago(30 * time.Minute)},
			{ID: 1, GUID: "a", StatusCode: 0, DeliveredAt: ago(3 * time.Hour)},
		}, nil},
		{"redelivered long enough ago: its newest attempt is sent", []ghport.HookDelivery{
			{ID: 2, GUID: "a", StatusCode: 503, Redelivery: true, DeliveredAt: ago(2 * time.Hour)},
			{ID: 1, GUID: "a", StatusCode: 0, DeliveredAt: ago(3 * time.Hour)},
		}, []int64{2}},
		{"redelivered too often", []ghport.HookDelivery{
			{ID: 4, GUID: "a", StatusCode: 0, Redelivery: true, DeliveredAt: ago(2 * time.Hour)},
			{ID: 3, GUID: "a", StatusCode: 0, Redelivery: true, DeliveredAt: ago(4 * time.Hour)},
			{ID: 2, GUID: "a", StatusCode: 0, Redelivery: true, DeliveredAt: ago(6 * time.Hour)},
			{ID: 1, GUID: "a", StatusCode: 0, DeliveredAt: ago(8 * time.Hour)},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, d := range failedDeliveries(tt.list, now) {
				got = append(got, d.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("redeliver %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRedeliveryForgetsOldRecords(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, storetest.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.RecordDelivery(ctx, "old", "push"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		after time.Duration
		kept  bool
	}{{6 * 24 * time.Hour, true}, {8 * 24 * time.Hour, false}} {
		w := New(Deps{GitHub: &ghporttest.GitHub{}, Store: st, Now: func() time.Time { return time.Now().Add(tt.after) }}).redeliverWorker()
		if err := w.redeliver(ctx); err != nil {
			t.Fatal(err)
		}
		recorded, err := st.RecordedDeliveries(ctx, []string{"old"})
		if err != nil || recorded["old"] != tt.kept {
			t.Fatalf("%s later: record kept %v (%v), want %v", tt.after, recorded["old"], err, tt.kept)
		}
	}
}

// TestRedeliver: the failed deliveries are sent again, except those the app
// recorded (it answered, GitHub timed out), at most redeliverPerRun a run; one
// GitHub no longer redelivers is skipped, any other failure retries the job.
func TestRedeliver(t *testing.T) {
	now := time.Now()
	failed := func(n int) []ghport.HookDelivery {
		var out []ghport.HookDelivery
		for i := range n {
			out = append(out, ghport.HookDelivery{ID: int64(i + 1), GUID: fmt.Sprint("g", i+1), StatusCode: 502, DeliveredAt: now.Add(-time.Duration(n-i) * time.Minute)})
		}
		return out
	}
	tests := []struct {
		name         string
		deliveries   []ghport.HookDelivery
		redeliverErr error
		wantAsked    int
		wantErr      bool
	}{
		{"failed and unrecorded ones", failed(3), nil, 2, false}, // g2 is recorded: 1 and 3
		{"at most redeliverPerRun a run", failed(redeliverPerRun + 10), nil, redeliverPerRun, false},
		{"too old to redeliver: skipped", failed(3), fmt.Errorf("redeliver: %w", ghport.ErrGone), 2, false},
		{"GitHub failing: retried", failed(3), errors.New("502"), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			if _, err := w.store.RecordDelivery(t.Context(), "g2", "push"); err != nil {
				t.Fatal(err)
			}
			w.gh.Deliveries, w.gh.RedeliverErr = tt.deliveries, tt.redeliverErr
			err := w.redeliverWorker().Work(t.Context(), jobOf(jobargs.RedeliverArgs{}, 1, 5))
			if (err != nil) != tt.wantErr {
				t.Errorf("job: %v, want an error %v", err, tt.wantErr)
			}
			if len(w.gh.Redelivered) != tt.wantAsked || slices.Contains(w.gh.Redelivered, 2) {
				t.Errorf("redelivered %v, want %d of them, not the recorded 2", w.gh.Redelivered, tt.wantAsked)
			}
		})
	}
}
