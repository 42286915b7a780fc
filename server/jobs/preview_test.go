package jobs

import (
	"testing"

	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/jobargs"
)

// TestConfigPreview: a pull request to the config repository is checked for its
// golden-path.yaml, not scored.
func TestConfigPreview(t *testing.T) {
	tests := []struct {
		name           string
		proposed       string
		wantConclusion string
		wantTitle      string
		wantAnnotation *ghport.Annotation
	}{
		{"valid", "enforcement: blocking\n", "success", "Configuration is valid", nil},
		{"broken, with its line", "threshold: 0.5\nenforcement: strict\n", "failure", "1 configuration problems",
			&ghport.Annotation{Path: "golden-path.yaml", StartLine: 2, EndLine: 2, Level: "failure", Title: "Configuration problem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.setOrgConfig("enforcement: advisory\n")
			w.inst.Contents[ghporttest.At("acme/.github", "c1")] = ghporttest.Files{"golden-path.yaml": tt.proposed}
			a := jobargs.PullArgs{InstallationID: testInstallation, RepoID: 9, Owner: "acme", Repo: ".github", DefaultBranch: "main", Number: 5, HeadSHA: "c1"}
			if err := w.pullWorker().Work(t.Context(), jobOf(a, 1, 12)); err != nil {
				t.Fatal(err)
			}
			last := w.inst.CheckRuns[len(w.inst.CheckRuns)-1]
			if last.Conclusion != tt.wantConclusion || last.Title != tt.wantTitle {
				t.Errorf("check %q: %q, want %q: %q\n%s", last.Title, last.Conclusion, tt.wantTitle, tt.wantConclusion, last.Summary)
			}
			switch {
			case tt.wantAnnotation == nil && len(last.Annotations) != 0:
				t.Errorf("annotations %+v, want none", last.Annotations)
			case tt.wantAnnotation != nil:
				if len(last.Annotations) != 1 {
					t.Fatalf("annotations %+v, want one", last.Annotations)
				}
				got := last.Annotations[0]
				got.Message = ""
				if got != *tt.wantAnnotation {
					t.Errorf("annotation %+v, want %+v", got, *tt.wantAnnotation)
				}
			}
			if len(w.inst.Comments) != 0 {
				t.Errorf("a config preview commented: %+v", w.inst.Comments)
			}
		})
	}
}
