package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/goldenpath/goldenpath/server/webhook/plan"
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

// QueueDelivery records a webhook delivery and, unless it was recorded before,
// what it asks for (the pull request head, what it showed of the app's fix pull
// request, its jobs), in one transaction: a delivery is acknowledged only once
// its work is durable. fresh is false when it was recorded before (GitHub
// redelivered it, its work is queued): nothing more is written. inserted[i] is
// false when River skipped p.Jobs[i] as a duplicate of a queued unique job.
func (s *Store) QueueDelivery(ctx context.Context, deliveryID, event string, p plan.Delivery) (fresh bool, inserted []bool, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		if fresh, err = tx.RecordDelivery(ctx, deliveryID, event); err != nil || !fresh {
			return err
		}
		if hd := p.PullHead; hd != nil {
			if err := tx.SetPullHead(ctx, hd.RepoID, hd.Number, hd.SHA); err != nil {
				return err
			}
		}
		if fp := p.FixPull; fp != nil {
			if err := tx.FixPullSeen(ctx, fp.RepoID, fp.Number, fp.Open, fp.SHA); err != nil {
				return err
			}
		}
		inserted = make([]bool, len(p.Jobs))
		for i, args := range p.Jobs {
			if inserted[i], err = tx.InsertJob(ctx, args, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, nil, err
	}
	return fresh, inserted, nil
}
