package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// RecordedDeliveries says which of the delivery ids were recorded (RecordDelivery):
// their work is queued, so GitHub need not send them again. The caller bounds
// ids (one placeholder each).
func (s queries) RecordedDeliveries(ctx context.Context, ids []string) (map[string]bool, error) {
	recorded := map[string]bool{}
	if len(ids) == 0 {
		return recorded, nil
	}
	placeholders := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		placeholders[i] = "$" + strconv.Itoa(i+1)
		args[i] = id
	}
	err := s.q.eachRow(ctx, `SELECT delivery_id FROM webhook_deliveries WHERE delivery_id IN (`+strings.Join(placeholders, ", ")+`)`,
		args, func(r row) error {
			var id string
			if err := r.Scan(&id); err != nil {
				return err
			}
			recorded[id] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("look up %d recorded deliveries: %w", len(ids), err)
	}
	return recorded, nil
}
