package jobs

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// TestReportDoesNotRecordConfiguration: the report's GET resolves the org
// configuration but leaves recording the last valid one to the jobs.
func TestReportDoesNotRecordConfiguration(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, storetest.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	if err := st.SaveRepoState(ctx, store.RepoState{RepoID: 1, InstallationID: 7, Owner: "acme", Name: "web", DefaultBranch: "main",
		PushedAt: now, TreeSHA: "t", EvaluatedAt: now}); err != nil {
		t.Fatal(err)
	}
	bundle, _ := json.Marshal(configBundle{Found: true, Config: []byte("enforcement: advisory\n")})
	if err := st.SaveCachedFile(ctx, 7, "acme/.github", cacheRefDefault, bundlePath, bundle, true); err != nil {
		t.Fatal(err)
	}
	e := New(Deps{Store: st, Evaluations: testEvaluations(), Settings: Settings{ConfigRepo: ".github", ConfigPath: "golden-path.yaml", Limits: policies.DefaultLimits()}})
	if _, found, err := e.Reports.Report(ctx, "acme"); err != nil || !found {
		t.Fatalf("report: found %v, %v", found, err)
	}
	if _, found, _, err := st.CachedFile(ctx, 7, "acme/.github", cacheRefDefault, validBundlePath); err != nil || found {
		t.Errorf("after the report the last valid configuration is stored (%v, %v): a GET wrote", found, err)
	}
	if _, err := e.configs.load(ctx, target{instID: 7, owner: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, found, _, err := st.CachedFile(ctx, 7, "acme/.github", cacheRefDefault, validBundlePath); err != nil || !found {
		t.Errorf("a job's load did not record the last valid configuration (%v, %v)", found, err)
	}
}
