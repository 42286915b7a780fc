package jobs

import (
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/store"
)

func TestRepositoryEvents(t *testing.T) {
	tests := []struct {
		action, name string
		wantStored   string // the repository's name in the store, "" when forgotten
		wantPublish  bool
	}{
		{"renamed", "site", "site", true},
		{"deleted", "web", "", true},
		{"archived", "web", "", true},
		{"transferred", "web", "", true},
		{"installation_deleted", "web", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			ctx := t.Context()
			w := newWorld(t)
			now := time.Now().UTC()
			if err := w.store.SaveRepoState(ctx, store.RepoState{RepoID: 1, InstallationID: testInstallation, Owner: "acme", Name: "web",
				DefaultBranch: "main", PushedAt: now, TreeSHA: "t", EvaluatedAt: now}); err != nil {
				t.Fatal(err)
			}
			a := jobargs.RepositoryArgs{InstallationID: testInstallation, Action: tt.action, RepoID: 1, Owner: "acme", Name: tt.name}
			if err := w.repositoryWorker().Work(ctx, jobOf(a, 1, 5)); err != nil {
				t.Fatal(err)
			}
			var stored string
			if err := w.store.RepoStates(ctx, "acme", func(s store.RepoState) error { stored = s.Name; return nil }); err != nil {
				t.Fatal(err)
			}
			if stored != tt.wantStored {
				t.Errorf("stored %q, want %q", stored, tt.wantStored)
			}
			if got := len(w.queued(t, jobargs.PublishArgs{}.Kind())) == 1; got != tt.wantPublish {
				t.Errorf("report published %v, want %v", got, tt.wantPublish)
			}
		})
	}
}
