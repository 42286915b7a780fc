package jobs

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/checks"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobargs"
)

// bareRepo fails ci.present (error severity) and warning rules.
var bareRepo = ghporttest.Files{"main.go": "package main\n"}

// pullOf is acme/web's pull request 3 at head.
func pullOf(head string) jobargs.PullArgs {
	return jobargs.PullArgs{InstallationID: testInstallation, RepoID: 1, Owner: "acme", Repo: "web", DefaultBranch: "main", Number: 3, HeadSHA: head}
}

// disableAll is an org configuration that disables every bundled rule.
func disableAll(t *testing.T) string {
	eng, err := testEvaluations().Engine(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range eng.Rules() {
		ids = append(ids, r.ID)
	}
	return "rules:\n  disable: [" + strings.Join(ids, ", ") + "]\n"
}

// infoOnly is an org configuration that makes every bundled rule info severity.
func infoOnly(t *testing.T) string {
	eng, err := testEvaluations().Engine(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("rules:\n  severity:\n")
	for _, r := range eng.Rules() {
		fmt.Fprintf(&b, "    %s: info\n", r.ID)
	}
	return b.String()
}

func TestPullCheckAndComment(t *testing.T) {
	tests := []struct {
		name           string
		config         func(*testing.T) string
		wantConclusion string
		wantComment    bool
	}{
		{"advisory: failures are neutral", func(*testing.T) string { return "enforcement: advisory\n" }, "neutral", true},
		{"blocking: an error rule failing fails the check", func(*testing.T) string { return "enforcement: blocking\n" }, "failure", true},
		{"nothing fails: success and no comment", disableAll, "success", false},
		{"only info rules fail: no comment", infoOnly, "neutral", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.setOrgConfig(tt.config(t))
			w.inst.Contents[ghporttest.At("acme/web", "h1")] = bareRepo
			if err := w.pullWorker().Work(t.Context(), jobOf(pullOf("h1"), 1, 12)); err != nil {
				t.Fatal(err)
			}
			runs := w.inst.CheckRuns
			if len(runs) != 2 || runs[0].Update || runs[0].Status != "in_progress" || runs[0].HeadSHA != "h1" ||
				!runs[1].Update || runs[1].ID != runs[0].ID || runs[1].Status != "completed" {
				t.Fatalf("check runs = %+v, want one created in progress, then completed", runs)
			}
			if runs[1].Conclusion != tt.wantConclusion || runs[1].Name != "Golden Path" {
				t.Errorf("check %q concluded %q, want %q", runs[1].Name, runs[1].Conclusion, tt.wantConclusion)
			}
			if got := len(w.inst.Comments) == 1; got != tt.wantComment || len(w.inst.Comments) > 1 {
				t.Errorf("comments = %+v, want one: %v", w.inst.Comments, tt.wantComment)
			}
		})
	}
}

// TestPullCommentIsSticky: the comment is created once and edited by later heads;
// an evaluation of an older head finishing late leaves it alone.
func TestPullCommentIsSticky(t *testing.T) {
	w := newWorld(t)
	pw := w.pullWorker()
	w.inst.Contents[ghporttest.At("acme/web", "h1")] = bareRepo
	w.inst.Contents[ghporttest.At("acme/web", "h2")] = ghporttest.Files{"main.go": "package main\n", "SECURITY.md": "Mail security@acme.example.\n"}
	w.inst.Contents[ghporttest.At("acme/web", "h3")] = bareRepo
	for _, head := range []string{"h1", "h2"} {
		if err := w.store.SetPullHead(t.Context(), 1, 3, head); err != nil {
			t.Fatal(err)
		}
		if err := pw.Work(t.Context(), jobOf(pullOf(head), 1, 12)); err != nil {
			t.Fatal(err)
		}
	}
	c := onlyComment(t, w.inst)
	if c.Edits != 1 || !strings.Contains(c.Body, checks.CommentMarker) || strings.Contains(c.Body, "security.policy") {
		t.Errorf("comment = %+v, want the marker and h2's verdict (SECURITY.md added), edited once", c)
	}
	// h3 is not the pull request's head any more (h2 is).
	if err := pw.Work(t.Context(), jobOf(pullOf("h3"), 1, 12)); err != nil {
		t.Fatal(err)
	}
	if after := onlyComment(t, w.inst); after != c {
		t.Errorf("an older head's evaluation changed the comment: %+v", after)
	}
}

// onlyComment is the one comment written.
func onlyComment(t *testing.T, in *ghporttest.Installation) ghporttest.Comment {
	t.Helper()
	if len(in.Comments) != 1 {
		t.Fatalf("comments = %+v, want one", in.Comments)
	}
	return slices.Collect(maps.Values(in.Comments))[0]
}

// TestPullCommentRecovers: a comment a person deleted is forgotten and the next
// evaluation that needs one writes it anew; a failed lookup releases the claim,
// so the next attempt does not wait for it.
func TestPullCommentRecovers(t *testing.T) {
	w := newWorld(t)
	pw := w.pullWorker()
	for _, head := range []string{"h1", "h2", "h3"} {
		w.inst.Contents[ghporttest.At("acme/web", head)] = bareRepo
	}
	if err := pw.Work(t.Context(), jobOf(pullOf("h1"), 1, 12)); err != nil {
		t.Fatal(err)
	}
	clear(w.inst.Comments)
	if err := pw.Work(t.Context(), jobOf(pullOf("h2"), 1, 12)); err != nil || len(w.inst.Comments) != 0 {
		t.Fatalf("after the comment was deleted: %v, comments %+v", err, w.inst.Comments)
	}
	w.inst.FindCommentErr = errors.New("502")
	if err := pw.Work(t.Context(), jobOf(pullOf("h3"), 1, 12)); jobResult(err) != "retry" {
		t.Fatalf("a failed lookup: %v, want a retry", err)
	}
	w.inst.FindCommentErr = nil
	if err := pw.Work(t.Context(), jobOf(pullOf("h3"), 2, 12)); err != nil {
		t.Fatal(err)
	}
	if c := onlyComment(t, w.inst); c.Edits != 0 || !strings.Contains(c.Body, checks.CommentMarker) {
		t.Errorf("comment = %+v, want a new one", c)
	}
}

// TestPullResumesCheckRun: an attempt after an interrupted one completes the run
// the first created instead of creating a second.
func TestPullResumesCheckRun(t *testing.T) {
	w := newWorld(t)
	pw := w.pullWorker()
	w.inst.Contents[ghporttest.At("acme/web", "h1")] = bareRepo
	w.inst.UpdateCheckRunErr = errors.New("502 Bad Gateway")
	if err := pw.Work(t.Context(), jobOf(pullOf("h1"), 1, 12)); err == nil {
		t.Fatal("a failed completion did not fail the attempt")
	}
	w.inst.UpdateCheckRunErr = nil
	if err := pw.Work(t.Context(), jobOf(pullOf("h1"), 2, 12)); err != nil {
		t.Fatal(err)
	}
	var created int
	for _, r := range w.inst.CheckRuns {
		if !r.Update {
			created++
		}
	}
	if last := w.inst.CheckRuns[len(w.inst.CheckRuns)-1]; created != 1 || last.Status != "completed" {
		t.Errorf("check runs = %+v, want one created and completed", w.inst.CheckRuns)
	}
}

// TestPullFailures: what each failure makes of the job and of its check run.
func TestPullFailures(t *testing.T) {
	rateLimited := &ghport.RateLimitedError{Until: time.Now().Add(time.Hour), Err: errors.New("403")}
	tests := []struct {
		name    string
		fail    func(*ghporttest.Installation)
		attempt int
		want    string // snooze, cancel, retry
		gaveUp  string // the given-up check's title, "" when the run stays as it was
	}{
		{"a rate limit snoozes, even on the last attempt", func(in *ghporttest.Installation) { in.SnapshotErr = rateLimited }, 12, "snooze", ""},
		{"gone on an early attempt is doubted: retried", func(in *ghporttest.Installation) { in.SnapshotErr = ghport.ErrGone }, 1, "retry", ""},
		{"gone on a later attempt is believed: cancelled and the check told", func(in *ghporttest.Installation) { in.SnapshotErr = ghport.ErrGone }, goneAttempts, "cancel",
			"Golden-path rules could not be evaluated"},
		{"a missing permission is told as such", func(in *ghporttest.Installation) {
			in.SnapshotErr = fmt.Errorf("read tree: %w: %w", ghport.ErrForbidden, ghport.ErrGone)
		}, goneAttempts, "cancel", "Golden-path rules could not be evaluated: permission missing"},
		{"a transient failure retries", func(in *ghporttest.Installation) { in.SnapshotErr = errors.New("502") }, 11, "retry", ""},
		{"on the last attempt the check is completed", func(in *ghporttest.Installation) { in.SnapshotErr = errors.New("502") }, 12, "retry",
			"Golden-path rules could not be evaluated"},
		{"a suspended installation waits", func(in *ghporttest.Installation) { in.SnapshotErr = ghport.ErrSuspended }, 12, "snooze", ""},
		{"no check run to complete when its creation failed", func(in *ghporttest.Installation) { in.CreateCheckRunErr = errors.New("502") }, 12, "retry", ""},
		{"the comment failing after the check was completed leaves the verdict", func(in *ghporttest.Installation) { in.CreateCommentErr = errors.New("502") }, 12, "retry", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.inst.Contents[ghporttest.At("acme/web", "h1")] = bareRepo
			tt.fail(w.inst)
			err := w.pullWorker().Work(t.Context(), jobOf(pullOf("h1"), tt.attempt, 12))
			got := jobResult(err)
			if got != tt.want {
				t.Errorf("job %s (%v), want %s", got, err, tt.want)
			}
			var title string
			for _, r := range w.inst.CheckRuns {
				if r.Update && r.Title != "" && strings.HasPrefix(r.Summary, "The evaluation of this commit was given up") {
					title = r.Title
				}
			}
			if title != tt.gaveUp {
				t.Errorf("given-up check title %q, want %q (runs %+v)", title, tt.gaveUp, w.inst.CheckRuns)
			}
		})
	}
}

// TestPullBase: the base commit's evaluation is read from the store when the
// default branch was evaluated there, else evaluated and stored for the next
// pull request on the same base.
func TestPullBase(t *testing.T) {
	w := newWorld(t)
	pw := w.pullWorker()
	w.inst.Contents[ghporttest.At("acme/web", "b0")] = bareRepo
	for _, head := range []string{"h1", "h2"} {
		w.inst.Contents[ghporttest.At("acme/web", head)] = bareRepo
		a := pullOf(head)
		a.BaseSHA = "b0"
		if err := pw.Work(t.Context(), jobOf(a, 1, 12)); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.inst.Listed[ghporttest.At("acme/web", "b0")]; n != 1 {
		t.Errorf("the base was listed %d times, want once", n)
	}
	if rec, err := w.store.Evaluation(t.Context(), 1, "b0"); err != nil || rec == nil || rec.Ref != "base" {
		t.Errorf("stored base evaluation = %+v, %v", rec, err)
	}
}
