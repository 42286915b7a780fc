package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
)

// TestSweepJudgesAnOversizedRepositoryOnWhatItRead: a repository whose listing
// needs more requests than the per-repository budget (200 by default) spends
// no more than that, is evaluated on what was listed, and is marked partial in
// the JSON API and the report; a rule it fails for lack of evidence is not judged.
func TestSweepJudgesAnOversizedRepositoryOnWhatItRead(t *testing.T) {
	fake := smallOrg(t, "api")
	fake.AddRepo(org, "mono")
	files := map[string]string{"README.md": "# mono\n"}
	for d := range 300 {
		for f := range 3 {
			files[fmt.Sprintf("pkg-%03d/file-%d.go", d, f)] = fmt.Sprintf("package p%d // %d\n", d, f)
		}
	}
	fake.Commit(org, "mono", "main", files)
	// Every recursive listing of mono is truncated: one request per directory.
	fake.SetTreeLimits(20, 0)
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)

	var trees int
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/repos/acme/mono/git/") {
			trees++
		}
	}
	if trees > 200 {
		t.Errorf("%d git requests for acme/mono, above its budget of 200", trees)
	}

	status, body := a.apiGet(t, "/api/v1/orgs/"+org+"/repos/mono")
	var view struct{ Evaluation policies.Evaluation }
	if err := json.Unmarshal(body, &view); status != http.StatusOK || err != nil {
		t.Fatalf("GET repos/mono = %d %s", status, body)
	}
	ev := view.Evaluation
	if !strings.Contains(ev.Partial, "request budget of 200 reached") {
		t.Errorf("partial = %q, want the budget named", ev.Partial)
	}
	for _, r := range ev.Results {
		if r.Status == policies.StatusFail {
			t.Errorf("%s failed on a partial listing: %s", r.Rule, r.Message)
		}
		if r.Rule == "ownership.codeowners" && !r.NotJudged {
			t.Errorf("ownership.codeowners: %s (not judged %v), want not judged", r.Status, r.NotJudged)
		}
	}

	status, body = a.apiGet(t, "/api/v1/orgs/"+org+"/report")
	var rep struct {
		Partial []struct{ Repository, Reason string } `json:"partial"`
	}
	if err := json.Unmarshal(body, &rep); status != http.StatusOK || err != nil || len(rep.Partial) != 1 || rep.Partial[0].Repository != "mono" {
		t.Errorf("report partial = %+v (%d, %v), want mono alone", rep.Partial, status, err)
	}
	if is := reportIssue(t, fake); !strings.Contains(is.Body, "Partially evaluated") || !strings.Contains(is.Body, "request budget of 200 reached") {
		t.Errorf("the report issue does not mark mono partial:\n%s", is.Body)
	}
}
