package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
)

func TestRepoStatesSweepsAndReportIssue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		at := time.UnixMilli(1_780_000_000_000).UTC()
		for i, name := range []string{"web", "api", "lib"} {
			err := s.SaveRepoState(ctx, RepoState{
				RepoID: int64(i + 1), InstallationID: 7, Owner: "Acme", Name: name, DefaultBranch: "main",
				PushedAt: at, TreeSHA: "t" + name, PolicyDigest: "p", ConfigDigest: "c",
				Evaluation: &policies.Evaluation{Schema: 1, Repository: "acme/" + name}, EvaluatedAt: at,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveRepoState(ctx, RepoState{RepoID: 2, InstallationID: 7, Owner: "acme", Name: "api", DefaultBranch: "main", PushedAt: at.Add(time.Hour), TreeSHA: "t2", EvaluatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := s.RenameRepo(ctx, 1, "acme", "website"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteRepo(ctx, 3); err != nil {
			t.Fatal(err)
		}
		var got []RepoState
		if err := s.RepoStates(ctx, "ACME", func(r RepoState) error { got = append(got, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Name != "api" || got[1].Name != "website" {
			t.Fatalf("states %+v", got)
		}
		webOutcome, err := EncodeOutcome(&policies.Evaluation{Schema: 1, Repository: "acme/web"})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].TreeSHA != "t2" || !got[0].PushedAt.Equal(at.Add(time.Hour)) || got[1].Evaluation != nil || string(got[1].Outcome) != string(webOutcome) {
			t.Fatalf("upsert or projection wrong: %+v", got)
		}
		if st, err := s.RepoState(ctx, "acme", "api"); err != nil || st == nil || st.Evaluation != nil || len(st.Outcome) != 0 {
			t.Fatalf("the api state, replaced without an evaluation: %+v %v", st, err)
		}
		if err := s.StatesWithoutOutcome(ctx, "acme", func(r RepoState) error {
			t.Errorf("%s listed without an outcome: every state saved with an evaluation has one", r.Name)
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		for i := range 3 {
			start := at.Add(time.Duration(i) * time.Hour)
			if err := s.SaveSweep(ctx, SweepRecord{Owner: "acme", StartedAt: start, Repositories: 3}); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveSweep(ctx, SweepRecord{Owner: "acme", StartedAt: start, FinishedAt: start.Add(time.Minute), Repositories: 3, Evaluated: i, Unchanged: 3 - i, Summary: []byte("{}")}); err != nil {
				t.Fatal(err)
			}
		}
		sweeps, err := s.Sweeps(ctx, "acme", 2)
		if err != nil || len(sweeps) != 2 || sweeps[0].Evaluated != 2 || sweeps[0].FinishedAt.IsZero() {
			t.Fatalf("sweeps %+v %v", sweeps, err)
		}
		lastDone := sweeps[0].FinishedAt
		// A sweep waiting for the rate limit, and one of another organisation abandoned long ago.
		waiting := SweepRecord{Owner: "acme", StartedAt: at.Add(5 * time.Hour), Repositories: 3, Waiting: 2,
			WaitingUntil: at.Add(6 * time.Hour), Unjudged: []byte(`[{"repository":"web"}]`)}
		for _, rec := range []SweepRecord{waiting, {Owner: "globex", StartedAt: at, Waiting: 9}} {
			if err := s.SaveSweep(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
		if sweeps, err := s.Sweeps(ctx, "acme", 1); err != nil || len(sweeps) != 1 || sweeps[0].Waiting != 2 ||
			!sweeps[0].WaitingUntil.Equal(waiting.WaitingUntil) || string(sweeps[0].Unjudged) != string(waiting.Unjudged) {
			t.Fatalf("waiting sweep read back as %+v %v", sweeps, err)
		}
		statuses, err := s.SweepStatuses(ctx, at.Add(time.Hour))
		want := []SweepStatus{{Owner: "acme", LastCompleted: lastDone, Pending: 2}, {Owner: "globex"}}
		if err != nil || len(statuses) != 2 || statuses[0] != want[0] || statuses[1] != want[1] {
			t.Fatalf("sweep statuses %+v %v, want %+v", statuses, err, want)
		}

		if st, err := s.RepoState(ctx, "acme", "WEBSITE"); err != nil || st == nil || st.RepoID != 1 || st.Evaluation == nil || st.Evaluation.Repository != "acme/web" {
			t.Fatalf("state of the renamed acme/website: %+v %v", st, err)
		}
		if st, err := s.RepoState(ctx, "acme", "lib"); err != nil || st != nil {
			t.Fatalf("state of the deleted acme/lib: %+v %v", st, err)
		}
		if id, err := s.OwnerInstallation(ctx, "ACME"); err != nil || id != 7 {
			t.Fatalf("installation of acme: %d %v", id, err)
		}
		if id, err := s.OwnerInstallation(ctx, "nobody"); err != nil || id != 0 {
			t.Fatalf("installation of nobody: %d %v", id, err)
		}
		if is, err := s.ReportIssue(ctx, "acme"); err != nil || is.Number != 0 {
			t.Fatalf("report issue before any: %+v %v", is, err)
		}
		for _, want := range []ReportIssue{{Repo: ".github", Number: 12, Closed: true}, {Repo: ".github", Number: 12}} {
			if err := s.SaveReportIssue(ctx, "acme", want); err != nil {
				t.Fatal(err)
			}
			if is, err := s.ReportIssue(ctx, "Acme"); err != nil || is != want {
				t.Fatalf("report issue %+v %v, want %+v", is, err, want)
			}
		}
	})
}

func TestRepoListingFollowsItsState(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		at := time.UnixMilli(1_780_000_000_000).UTC()
		listing := []policies.Entry{{Path: "README.md", SHA: blobSHA("a"), Size: 12}, {Path: "go.mod", SHA: blobSHA("b"), Size: 20}}
		facts := &policies.Repository{Topics: []string{"x"}}
		state := RepoState{RepoID: 9, InstallationID: 7, Owner: "acme", Name: "web", DefaultBranch: "main",
			PushedAt: at, TreeSHA: "t1", EvaluatedAt: at, Listing: listing, Facts: facts}
		if err := s.SaveRepoState(ctx, state); err != nil {
			t.Fatal(err)
		}
		if got, gotFacts, err := s.RepoListing(ctx, 9); err != nil || !reflect.DeepEqual(got, listing) || !reflect.DeepEqual(gotFacts, *facts) {
			t.Fatalf("listing %v, facts %+v, %v; want %v", got, gotFacts, err, listing)
		}
		if got, err := s.RepoFacts(ctx, 9); err != nil || !reflect.DeepEqual(got, *facts) {
			t.Fatalf("facts %+v %v", got, err)
		}
		if got, err := s.RepoFacts(ctx, 404); err != nil || !reflect.DeepEqual(got, policies.Repository{}) {
			t.Fatalf("facts of an unknown repository: %+v %v", got, err)
		}
		if err := s.TouchRepoState(ctx, 9, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.RepoListing(ctx, 9); !reflect.DeepEqual(got, listing) {
			t.Fatalf("touch changed the listing to %v", got)
		}
		state.Listing, state.Facts = nil, nil // a state saved without them must not keep stale ones
		if err := s.SaveRepoState(ctx, state); err != nil {
			t.Fatal(err)
		}
		if got, gotFacts, err := s.RepoListing(ctx, 9); err != nil || got != nil || !reflect.DeepEqual(gotFacts, policies.Repository{}) {
			t.Fatalf("listing after save without one: %v %+v %v", got, gotFacts, err)
		}
		if got, _, err := s.RepoListing(ctx, 404); err != nil || got != nil {
			t.Fatalf("listing of an unknown repository: %v %v", got, err)
		}
	})
}

// TestMigration3KeepsEvaluations upgrades a database holding a repository stored by
// the version before (the evaluation inside the repositories row) and finds the
// evaluation among the details afterwards.
func TestMigration3KeepsEvaluations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		q := s.b.pool()
		// Back to the shape of version 2.
		for _, stmt := range []string{
			`DROP TABLE repository_details`,
			`ALTER TABLE repositories DROP COLUMN outcome`,
			`ALTER TABLE repositories ADD COLUMN evaluation BYTEA NOT NULL DEFAULT ''`,
			`DELETE FROM goldenpath_migrations WHERE version = 3`,
			`INSERT INTO repositories (repo_id, installation_id, owner, name, owner_key, default_branch, pushed_at, tree_sha,
				policy_digest, config_digest, evaluation, evaluated_at)
				VALUES (5, 7, 'acme', 'web', 'acme', 'main', 1, 't', 'p', 'c', '{"repository":"acme/web"}', 2)`,
		} {
			if _, err := q.exec(ctx, s.b.ddl(stmt)); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		if err := migrate(ctx, q, s.b.ddl, time.Now); err != nil {
			t.Fatal(err)
		}
		var got []RepoState
		if err := s.StatesWithoutOutcome(ctx, "acme", func(r RepoState) error { got = append(got, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Evaluation == nil || got[0].Evaluation.Repository != "acme/web" || len(got[0].Outcome) != 0 {
			t.Fatalf("after the upgrade: %+v", got)
		}
	})
}
