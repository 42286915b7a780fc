package store

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
)

func TestRecordDelivery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		clock := useFakeClock(s)
		ctx := t.Context()
		for _, step := range []struct {
			id        string
			wantFresh bool
		}{
			{"delivery-1", true},
			{"delivery-1", false}, // GitHub redelivered it
			{"delivery-2", true},
		} {
			fresh, err := s.RecordDelivery(ctx, step.id, "pull_request")
			if err != nil || fresh != step.wantFresh {
				t.Errorf("RecordDelivery(%s) = %v, %v; want %v", step.id, fresh, err, step.wantFresh)
			}
		}
		if _, err := s.RecordDelivery(ctx, "", "push"); err == nil {
			t.Error("RecordDelivery with an empty id succeeded")
		}

		clock.Advance(time.Hour)
		if _, err := s.RecordDelivery(ctx, "delivery-3", "push"); err != nil {
			t.Fatal(err)
		}
		pruned, err := s.PruneDeliveries(ctx, clock.Now().Add(-time.Minute))
		if err != nil || pruned != 2 {
			t.Fatalf("PruneDeliveries = %d, %v; want 2", pruned, err)
		}
		for id, wantFresh := range map[string]bool{"delivery-1": true, "delivery-3": false} {
			if fresh, err := s.RecordDelivery(ctx, id, "push"); err != nil || fresh != wantFresh {
				t.Errorf("after pruning, RecordDelivery(%s) = %v, %v; want %v", id, fresh, err, wantFresh)
			}
		}
	})
}

func TestHeadsAndCheckRuns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()

		if sha, err := s.PullHead(ctx, 1, 7); err != nil || sha != "" {
			t.Errorf("unknown PullHead = %q, %v", sha, err)
		}
		err := s.InTx(ctx, func(tx *Tx) error {
			if err := tx.SetPullHead(ctx, 1, 7, "aaa"); err != nil {
				return err
			}
			return tx.SetPullHead(ctx, 1, 7, "bbb")
		})
		if err != nil {
			t.Fatal(err)
		}
		if sha, err := s.PullHead(ctx, 1, 7); err != nil || sha != "bbb" {
			t.Errorf("PullHead = %q, %v; want bbb", sha, err)
		}

		if sha, err := s.BranchHead(ctx, 1, "main"); err != nil || sha != "" {
			t.Errorf("unknown BranchHead = %q, %v", sha, err)
		}
		for _, sha := range []string{"c1", "c2"} {
			if err := s.SetBranchHead(ctx, 1, "main", sha); err != nil {
				t.Fatal(err)
			}
		}
		if sha, err := s.BranchHead(ctx, 1, "main"); err != nil || sha != "c2" {
			t.Errorf("BranchHead = %q, %v; want c2", sha, err)
		}

		if id, err := s.CheckRunID(ctx, 1, "bbb", "Golden Path"); err != nil || id != 0 {
			t.Errorf("unknown CheckRunID = %d, %v", id, err)
		}
		if err := s.SaveCheckRunID(ctx, 1, "bbb", "Golden Path", 9001); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			head, name string
			want       int64
		}{
			{"bbb", "Golden Path", 9001},
			{"bbb", "Other check", 0},
			{"aaa", "Golden Path", 0},
		} {
			if id, err := s.CheckRunID(ctx, 1, tc.head, tc.name); err != nil || id != tc.want {
				t.Errorf("CheckRunID(%s, %s) = %d, %v; want %d", tc.head, tc.name, id, err, tc.want)
			}
		}
	})
}

func TestClaimCommentRace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()

		type outcome struct {
			id   int64
			mine bool
			err  error
		}
		outcomes := make([]outcome, 20)
		var wg sync.WaitGroup
		for i := range outcomes {
			wg.Go(func() {
				id, mine, err := s.ClaimComment(ctx, 1, 7, time.Minute)
				outcomes[i] = outcome{id, mine, err}
			})
		}
		wg.Wait()
		winners := 0
		for _, o := range outcomes {
			switch {
			case o.mine && o.err == nil && o.id == 0:
				winners++
			case !o.mine && errors.Is(o.err, ErrCommentPending):
			default:
				t.Errorf("ClaimComment = %d, %v, %v; want a claim or ErrCommentPending", o.id, o.mine, o.err)
			}
		}
		if winners != 1 {
			t.Fatalf("%d callers own the comment, want exactly 1", winners)
		}

		if err := s.SaveComment(ctx, 1, 7, 555); err != nil {
			t.Fatal(err)
		}
		if id, mine, err := s.ClaimComment(ctx, 1, 7, time.Minute); err != nil || mine || id != 555 {
			t.Errorf("ClaimComment after SaveComment = %d, %v, %v; want 555, false", id, mine, err)
		}
	})
}

func TestClaimCommentTakesOverStaleClaim(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		clock := useFakeClock(s)
		ctx := t.Context()
		steps := []struct {
			advance  time.Duration
			wantMine bool
			wantErr  error
		}{
			{0, true, nil},
			{30 * time.Second, false, ErrCommentPending},
			{31 * time.Second, true, nil}, // the first claimer died: take over
			{time.Second, false, ErrCommentPending},
		}
		for i, step := range steps {
			clock.Advance(step.advance)
			id, mine, err := s.ClaimComment(ctx, 1, 7, time.Minute)
			if id != 0 || mine != step.wantMine || !errors.Is(err, step.wantErr) {
				t.Errorf("step %d: ClaimComment = %d, %v, %v; want 0, %v, %v", i, id, mine, err, step.wantMine, step.wantErr)
			}
		}
	})
}

func TestBlobCache(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		if err := s.SaveBlobs(ctx, 1, map[string][]byte{"sha-a": []byte("alpha"), "sha-empty": nil}); err != nil {
			t.Fatal(err)
		}
		// Content-addressed: a blob already cached is kept.
		if err := s.SaveBlobs(ctx, 1, map[string][]byte{"sha-a": []byte("other")}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			installation int64
			sha          string
			want         []byte
			wantFound    bool
		}{
			{1, "sha-a", []byte("alpha"), true},
			{1, "sha-empty", []byte{}, true},
			{1, "sha-missing", nil, false},
			{2, "sha-a", nil, false}, // another installation never sees it
		} {
			data, found, err := s.Blob(ctx, tc.installation, tc.sha)
			if err != nil || found != tc.wantFound || !bytes.Equal(data, tc.want) {
				t.Errorf("Blob(%d, %s) = %q, %v, %v; want %q, %v", tc.installation, tc.sha, data, found, err, tc.want, tc.wantFound)
			}
		}
	})
}

func TestCachedFile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		const repo = "acme/.github"
		if err := s.SaveCachedFile(ctx, 1, repo, "c1", "golden-path.yaml", []byte("threshold: 0.8\n"), true); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCachedFile(ctx, 1, repo, "c1", ".github/golden-path.yaml", []byte("ignored"), false); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			commit, path          string
			want                  []byte
			wantFound, wantExists bool
		}{
			{"c1", "golden-path.yaml", []byte("threshold: 0.8\n"), true, true},
			{"c1", ".github/golden-path.yaml", nil, true, false}, // known to be absent
			{"c2", "golden-path.yaml", nil, false, false},        // never looked at
		} {
			data, found, exists, err := s.CachedFile(ctx, 1, repo, tc.commit, tc.path)
			if err != nil || found != tc.wantFound || exists != tc.wantExists || !bytes.Equal(data, tc.want) {
				t.Errorf("CachedFile(%s, %s) = %q, found %v, exists %v, %v; want %q, %v, %v",
					tc.commit, tc.path, data, found, exists, err, tc.want, tc.wantFound, tc.wantExists)
			}
		}
	})
}

func TestEvaluations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		evaluation := func(passed int) *policies.Evaluation {
			return &policies.Evaluation{Schema: 1, Repository: "Acme/API", Summary: policies.Summary{Passed: passed, Applicable: 5}}
		}
		base := EvaluationRecord{
			InstallationID: 10, RepoID: 1, Owner: "Acme", Repo: "API", HeadSHA: "h1", Ref: "refs/heads/main",
			PolicyDigest: "p1", ConfigDigest: "c1", Evaluation: evaluation(3), CreatedAt: t0,
		}
		if e, err := s.Evaluation(ctx, 1, "h1"); err != nil || e != nil {
			t.Fatalf("Evaluation before any save = %+v, %v; want nil", e, err)
		}
		if e, err := s.LatestEvaluation(ctx, "acme", "api"); err != nil || e != nil {
			t.Fatalf("LatestEvaluation before any save = %+v, %v; want nil", e, err)
		}

		rerun := base // same key: replaces the first
		rerun.Evaluation, rerun.CreatedAt = evaluation(5), t0.Add(time.Minute)
		newConfig := base // another config digest: a second row
		newConfig.ConfigDigest, newConfig.Evaluation, newConfig.CreatedAt = "c2", evaluation(4), t0.Add(2*time.Minute)
		olderHead := base
		olderHead.HeadSHA, olderHead.Evaluation, olderHead.CreatedAt = "h0", evaluation(1), t0.Add(-time.Hour)
		for _, e := range []EvaluationRecord{base, rerun, newConfig, olderHead} {
			if err := s.SaveEvaluation(ctx, e); err != nil {
				t.Fatal(err)
			}
		}

		var rows int
		if err := s.q.queryRow(ctx, `SELECT count(*) FROM evaluations`).Scan(&rows); err != nil || rows != 3 {
			t.Errorf("%d evaluation rows (%v), want 3", rows, err)
		}
		got, err := s.Evaluation(ctx, 1, "h1")
		if err != nil || got == nil {
			t.Fatalf("Evaluation = %v, %v", got, err)
		}
		if got.ConfigDigest != "c2" || got.Evaluation.Summary.Passed != 4 || !got.CreatedAt.Equal(newConfig.CreatedAt) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("Evaluation = %+v, want the c2 record in UTC", got)
		}

		err = s.InTx(ctx, func(tx *Tx) error { // reads inside a transaction see the same rows
			got, err = tx.LatestEvaluation(ctx, "ACME", "api")
			return err
		})
		want := newConfig
		if err != nil || got == nil || got.Owner != want.Owner || got.Repo != want.Repo || got.HeadSHA != want.HeadSHA ||
			got.Ref != want.Ref || got.InstallationID != want.InstallationID || !reflect.DeepEqual(got.Evaluation, want.Evaluation) {
			t.Errorf("LatestEvaluation = %+v, %v; want %+v", got, err, want)
		}

		if older, err := s.Evaluation(ctx, 1, "h0"); err != nil || older == nil || older.Evaluation.Summary.Passed != 1 {
			t.Errorf("Evaluation(h0) = %+v, %v; want the h0 record", older, err)
		}

		if err := s.SaveEvaluation(ctx, EvaluationRecord{Owner: "acme", Repo: "api"}); err == nil {
			t.Error("SaveEvaluation without repository id and head succeeded")
		}
	})
}

func TestInTxRollsBackProductWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.RecordDelivery(ctx, "d-1", "push"); err != nil {
				return err
			}
			if err := tx.SaveBlobs(ctx, 1, map[string][]byte{"a": []byte("x")}); err != nil { // joins the transaction
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if fresh, err := s.RecordDelivery(ctx, "d-1", "push"); err != nil || !fresh {
			t.Errorf("delivery of a rolled-back transaction: RecordDelivery = %v, %v; want fresh", fresh, err)
		}
		if _, found, err := s.Blob(ctx, 1, "a"); err != nil || found {
			t.Errorf("blob of a rolled-back transaction: found %v, %v", found, err)
		}
	})
}
