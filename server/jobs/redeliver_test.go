package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/ghport"
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

// noDeliveries is a GitHub whose app lists no deliveries.
type noDeliveries struct{ ghport.GitHub }

func (noDeliveries) HookDeliveries(context.Context, time.Time, int) ([]ghport.HookDelivery, error) {
	return nil, nil
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
		w := &RedeliverWorker{Evaluator: &Evaluator{GitHub: noDeliveries{}, Store: st, Now: func() time.Time { return time.Now().Add(tt.after) }}}
		if err := w.redeliver(ctx); err != nil {
			t.Fatal(err)
		}
		recorded, err := st.RecordedDeliveries(ctx, []string{"old"})
		if err != nil || recorded["old"] != tt.kept {
			t.Fatalf("%s later: record kept %v (%v), want %v", tt.after, recorded["old"], err, tt.kept)
		}
	}
}
