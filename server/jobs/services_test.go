package jobs

import (
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/ghport/ghporttest"
	"github.com/goldenpath/goldenpath/server/store"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// testInstallation is the installation of the organisation "acme" in unit tests.
const testInstallation int64 = 7

// testEvaluations is shared by the unit tests: the bundled rules compile once.
var testEvaluations = sync.OnceValue(func() *evaluation.Service { return evaluation.New(policies.DefaultLimits(), nil) })

// world is the services over a struct fake of GitHub, with the organisation acme
// installed, and a SQLite store in the test's directory.
type world struct {
	*Services
	store *store.Store
	// clock is the jobs' clock; nil: time.Now.
	clock func() time.Time
	gh    *ghporttest.GitHub
	inst  *ghporttest.Installation
	db    string // the store's file
}

func newWorld(t *testing.T) *world {
	t.Helper()
	url := storetest.SQLiteURL(t)
	st, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	inst := &ghporttest.Installation{Contents: map[string]ghporttest.Files{}}
	gh := &ghporttest.GitHub{Inst: inst, Installs: []ghport.InstallationInfo{{ID: testInstallation, Account: "acme"}}}
	w := &world{store: st, gh: gh, inst: inst, db: strings.TrimPrefix(url, "sqlite://")}
	w.Services = New(Deps{GitHub: gh, Store: st, Evaluations: testEvaluations(), Now: w.now, Settings: Settings{
		CheckName: "Golden Path", ConfigRepo: ".github", ConfigPath: "golden-path.yaml",
		Limits: policies.DefaultLimits(), WebURL: "https://github.example",
	}})
	return w
}

func (w *world) now() time.Time {
	if w.clock != nil {
		return w.clock()
	}
	return time.Now()
}

// setOrgConfig makes yaml acme's golden-path.yaml.
func (w *world) setOrgConfig(yaml string) {
	w.inst.Contents[ghporttest.At("acme/.github", "HEAD")] = ghporttest.Files{"golden-path.yaml": yaml}
}

// queued lists the jobs of kind inserted in the store, oldest first.
func (w *world) queued(t *testing.T, kind string) []*rivertype.JobRow {
	t.Helper()
	db, err := sql.Open("sqlite", w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	client, err := river.NewClient(riversqlite.New(db), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.JobList(t.Context(), river.NewJobListParams().Kinds(kind).First(10000))
	if err != nil {
		t.Fatal(err)
	}
	return res.Jobs
}

// jobOf is a job of args at its attempt of maxAttempts, as River hands it to Work.
func jobOf[T river.JobArgs](args T, attempt, maxAttempts int) *river.Job[T] {
	return &river.Job[T]{JobRow: &rivertype.JobRow{Kind: args.Kind(), Attempt: attempt, MaxAttempts: maxAttempts}, Args: args}
}

// jobResult names what River does with a job's result.
func jobResult(err error) string {
	var (
		snooze *river.JobSnoozeError
		cancel *river.JobCancelError
	)
	switch {
	case err == nil:
		return "done"
	case errors.As(err, &snooze):
		return "snooze"
	case errors.As(err, &cancel):
		return "cancel"
	}
	return "retry"
}
