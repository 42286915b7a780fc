package webhook

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/goldenpath/goldenpath/server/webhook/plan"
)

// fakeStore answers QueueDelivery with its fields and records what it was handed.
type fakeStore struct {
	fresh bool
	err   error

	calls             int
	deliveryID, event string
	plan              plan.Delivery
}

func (f *fakeStore) QueueDelivery(_ context.Context, deliveryID, event string, p plan.Delivery) (bool, []bool, error) {
	f.calls++
	f.deliveryID, f.event, f.plan = deliveryID, event, p
	if f.err != nil || !f.fresh {
		return false, nil, f.err
	}
	return true, make([]bool, len(p.Jobs)), nil
}

// TestHandlerHandsTheDeliveryToTheStore: the delivery, the pull request head and
// the jobs route asks for reach the store in one call; its failure fails the
// delivery (GitHub is answered 500 and redelivers).
func TestHandlerHandsTheDeliveryToTheStore(t *testing.T) {
	opened := `{"action": "opened", "number": 3, "pull_request": {"number": 3, "head": {"sha": "h1"}, "base": {"sha": "b1"}},
		"repository": {"id": 9, "name": "api", "owner": {"login": "acme"}, "default_branch": "main"}, "installation": {"id": 5}}`
	push := `{"ref": "refs/heads/main", "after": "a1",
		"repository": {"id": 9, "name": "api", "owner": {"login": "acme"}, "default_branch": "main"}, "installation": {"id": 5}}`
	fixClosed := `{"action": "closed", "number": 4, "pull_request": {"number": 4, "state": "closed",
		"head": {"sha": "f1", "ref": "golden-path/fixes", "repo": {"id": 9}}, "base": {"sha": "b1"}},
		"repository": {"id": 9, "name": "api", "owner": {"login": "acme"}, "default_branch": "main"}, "installation": {"id": 5}}`
	down := errors.New("database down")
	// handed is what the store is handed: one call, the delivery, the pull
	// request head, the fix pull request and the jobs' kinds.
	type handed struct {
		calls             int
		deliveryID, event string
		head              *plan.PullHead
		fix               *plan.FixPull
		jobs              string
	}
	tests := []struct {
		name, event, delivery, payload string
		store                          fakeStore
		want                           handed
		wantErr                        error
	}{
		{"pull request opened", "pull_request", "d1", opened, fakeStore{fresh: true},
			handed{1, "d1", "pull_request", &plan.PullHead{RepoID: 9, Number: 3, SHA: "h1"}, nil, "evaluate_pull "}, nil},
		{"fix pull request closed", "pull_request", "d4", fixClosed, fakeStore{fresh: true},
			handed{1, "d4", "pull_request", nil, &plan.FixPull{PullHead: plan.PullHead{RepoID: 9, Number: 4, SHA: "f1"}}, ""}, nil},
		{"push: no pull request head", "push", "d2", push, fakeStore{fresh: true}, handed{1, "d2", "push", nil, nil, "evaluate_branch "}, nil},
		{"redelivery", "push", "d2", push, fakeStore{}, handed{1, "d2", "push", nil, nil, "evaluate_branch "}, nil},
		{"store fails", "push", "d3", push, fakeStore{err: down}, handed{1, "d3", "push", nil, nil, "evaluate_branch "}, down},
		{"no delivery id", "push", "", push, fakeStore{fresh: true}, handed{}, &PayloadError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := tt.store
			err := (&Handler{Store: &store, ConfigRepo: ".github"}).Handle(t.Context(), tt.event, tt.delivery, []byte(tt.payload))
			var pe *PayloadError
			switch {
			case tt.wantErr == nil && err != nil,
				tt.wantErr == down && !errors.Is(err, down),
				errors.As(tt.wantErr, &pe) && !errors.As(err, &pe):
				t.Fatalf("Handle: %v, want %v", err, tt.wantErr)
			}
			got := handed{store.calls, store.deliveryID, store.event, store.plan.PullHead, store.plan.FixPull, kinds(store.plan.Jobs)}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("the store was handed %+v, want %+v", got, tt.want)
			}
		})
	}
}
