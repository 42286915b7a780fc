package store

import (
	"reflect"
	"testing"
)

func TestFixPullsAndRuns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		if fp, err := s.FixPull(ctx, 9); err != nil || fp.Number != 0 || fp.RepoID != 9 {
			t.Fatalf("unknown repository = %+v, %v", fp, err)
		}
		want := FixPull{RepoID: 9, Owner: "acme", Number: 4, Head: "abc", Base: "b1", Files: map[string]string{"SECURITY.md": "s1"}}
		if err := s.SaveFixPull(ctx, want); err != nil {
			t.Fatal(err)
		}
		want.ClosedByApp, want.Refused, want.Head, want.KnownOpen, want.Body = true, []string{"SECURITY.md"}, "def", true, "<!-- body -->"
		if err := s.SaveFixPull(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.FixPull(ctx, 9)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("FixPull = %+v, %v, want %+v", got, err, want)
		}

		for _, team := range []string{"web", "payments"} {
			if err := s.StartFixRun(ctx, "Acme", team, 3); err != nil {
				t.Fatal(err)
			}
		}
		for _, problem := range []string{"", "permission missing"} {
			if err := s.FixRunStep(ctx, "acme", "payments", problem); err != nil {
				t.Fatal(err)
			}
		}
		runs, err := s.FixRuns(ctx, "ACME")
		if err != nil || len(runs) != 2 || runs[0].Team != "payments" || runs[0].Done != 2 || runs[0].Failed != 1 || runs[0].Problem != "permission missing" || runs[1].Done != 0 || runs[1].Total != 3 {
			t.Errorf("FixRuns = %+v, %v", runs, err)
		}
		if err := s.StartFixRun(ctx, "acme", "payments", 5); err != nil {
			t.Fatal(err)
		}
		if runs, _ := s.FixRuns(ctx, "acme"); runs[0].Done != 0 || runs[0].Total != 5 || runs[0].Problem != "" {
			t.Errorf("restarted run = %+v", runs[0])
		}

		if err := s.ForgetOwner(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		if fp, _ := s.FixPull(ctx, 9); fp.Number != 0 {
			t.Errorf("after ForgetOwner: %+v", fp)
		}
		if runs, _ := s.FixRuns(ctx, "acme"); len(runs) != 0 {
			t.Errorf("runs after ForgetOwner: %+v", runs)
		}
	})
}

// What a webhook tells of the fix pull request makes the app read it again
// unless it is open with the app's own head.
func TestFixPullSeen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := t.Context()
		for _, tt := range []struct {
			name   string
			number int
			open   bool
			head   string
			known  bool
		}{
			{"the app's own push", 4, true, "abc", true},
			{"another pull request", 5, false, "abc", true},
			{"closed", 4, false, "abc", false},
			{"a person's push", 4, true, "xyz", false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.SaveFixPull(ctx, FixPull{RepoID: 9, Owner: "acme", Number: 4, Head: "abc", KnownOpen: true}); err != nil {
					t.Fatal(err)
				}
				if err := s.FixPullSeen(ctx, 9, tt.number, tt.open, tt.head); err != nil {
					t.Fatal(err)
				}
				if fp, err := s.FixPull(ctx, 9); err != nil || fp.KnownOpen != tt.known {
					t.Errorf("known open = %v (%v), want %v", fp.KnownOpen, err, tt.known)
				}
			})
		}
	})
}
