package store

import (
	"maps"
	"testing"
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
