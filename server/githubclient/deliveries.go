package githubclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/goldenpath/goldenpath/server/ghport"
)

// HookDeliveries implements ghport.GitHub: GET /app/hook/deliveries with the app's
// JWT, 100 a page, following the Link header's cursor. GitHub lists the newest
// first, so the listing stops at the first delivery older than since.
func (c *Client) HookDeliveries(ctx context.Context, since time.Time, limit int) ([]ghport.HookDelivery, error) {
	var out []ghport.HookDelivery
	opts := &github.ListCursorOptions{PerPage: 100}
	for {
		list, resp, err := c.app.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return nil, classify("list the app's webhook deliveries", err)
		}
		for _, d := range list {
			if len(out) >= limit || d.GetDeliveredAt().Before(since) {
				return out, nil
			}
			out = append(out, ghport.HookDelivery{
				ID: d.GetID(), GUID: d.GetGUID(), Event: d.GetEvent(), StatusCode: d.GetStatusCode(),
				Redelivery: d.GetRedelivery(), DeliveredAt: d.GetDeliveredAt().Time,
			})
		}
		if resp.Cursor == "" {
			return out, nil
		}
		opts.Cursor = resp.Cursor
	}
}

// Redeliver implements ghport.GitHub: POST /app/hook/deliveries/{id}/attempts with
// the app's JWT.
func (c *Client) Redeliver(ctx context.Context, deliveryID int64) error {
	_, _, err := c.app.Apps.RedeliverHookDelivery(ctx, deliveryID)
	// GitHub answers 202 and delivers later; go-github reports that as an error.
	var accepted *github.AcceptedError
	if errors.As(err, &accepted) {
		return nil
	}
	return classify(fmt.Sprintf("redeliver webhook delivery %d", deliveryID), err)
}
