package store

import (
	"maps"
	"testing"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/webhook/plan"
)

func TestRecordedDeliveries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		for _, id := range []string{"d-1", "d-2"} {
			if _, err := s.RecordDelivery(ctx, id, "pull_request"); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			name string
			ids  []string
			want map[string]bool
		}{
			{"none asked", nil, map[string]bool{}},
			{"some recorded", []string{"d-2", "d-3", "d-1"}, map[string]bool{"d-1": true, "d-2": true}},
			{"none recorded", []string{"d-4"}, map[string]bool{}},
		} {
			got, err := s.RecordedDeliveries(ctx, tt.ids)
			if err != nil || !maps.Equal(got, tt.want) {
				t.Errorf("%s: RecordedDeliveries(%v) = %v, %v; want %v", tt.name, tt.ids, got, err, tt.want)
			}
		}
	})
}

// TestQueueDelivery: a fresh delivery records the pull request head and queues
// its jobs; its redelivery writes nothing.
func TestQueueDelivery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		jobs := func() (n int) {
			if err := s.q.queryRow(ctx, `SELECT count(*) FROM river_job`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, tt := range []struct {
			name, delivery, head string
			number               int
			wantFresh            bool
			wantHead             string
			wantJobs             int
		}{
			{"fresh, with a pull request head", "d-1", "h1", 3, true, "h1", 2},
			{"redelivered", "d-1", "h0", 3, false, "h1", 2},
			{"fresh, without a pull request", "d-2", "", 0, true, "h1", 4},
		} {
			p := plan.Delivery{Jobs: []river.JobArgs{echoArgs{Msg: tt.delivery + "a"}, echoArgs{Msg: tt.delivery + "b"}}}
			if tt.number != 0 {
				p.PullHead = &plan.PullHead{RepoID: 9, Number: tt.number, SHA: tt.head}
			}
			fresh, inserted, err := s.QueueDelivery(ctx, tt.delivery, "pull_request", p)
			if err != nil || fresh != tt.wantFresh || fresh && len(inserted) != 2 || !fresh && inserted != nil {
				t.Fatalf("%s: QueueDelivery = %v, %v, %v", tt.name, fresh, inserted, err)
			}
			if head, err := s.PullHead(ctx, 9, 3); err != nil || head != tt.wantHead {
				t.Errorf("%s: pull head %q %v, want %q", tt.name, head, err, tt.wantHead)
			}
			if n := jobs(); n != tt.wantJobs {
				t.Errorf("%s: %d jobs, want %d", tt.name, n, tt.wantJobs)
			}
		}
	})
}
