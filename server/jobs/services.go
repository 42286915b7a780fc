package jobs

import (
	"context"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/store"
)

// Settings are what the jobs need to know about the deployment.
type Settings struct {
	CheckName  string // name of the check run, "Golden Path" by default
	ConfigRepo string // the org repository holding golden-path.yaml
	ConfigPath string
	Limits     policies.Limits
	// RequestBudget bounds the GitHub requests of one repository's evaluation in
	// a sweep (0: none); past it the evaluation is partial.
	RequestBudget int
	PublicURL     string // base of links to the JSON API; optional
	WebURL        string // GitHub's web address, for links to issues
}

// APIURL links to an organisation's JSON report, "" without a public URL.
func (s Settings) APIURL(owner string) string {
	if s.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.PublicURL, "/") + "/api/v1/orgs/" + owner + "/report"
}

// Deps are what the jobs run on; server.New provides them.
type Deps struct {
	GitHub   ghport.GitHub
	Store    *store.Store
	Metrics  *metrics.Metrics // nil: nothing is counted
	Settings Settings
	Now      func() time.Time // nil: time.Now
	// Evaluations judges repositories (nil: a service of its own, within
	// Settings.Limits); its compiled engines are shared by every worker.
	Evaluations *evaluation.Service
}

// Services are what the workers share, built once over Deps: the org
// configuration loader, the judge of repositories, the reports, the fix planner
// and the record of job outcomes. Each worker holds the few it uses.
type Services struct {
	// Reports are the organisations' reports, which the JSON API serves.
	Reports *Reports
	// Waits are the jobs of this process waiting for a rate limit.
	Waits *RateWaits

	deps     Deps
	configs  *configLoader
	judge    *judge
	fixes    *fixPlanner
	outcomes *jobOutcomes
}

// New builds the services over d.
func New(d Deps) *Services {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Evaluations == nil {
		d.Evaluations = evaluation.New(d.Settings.Limits, d.Now)
	}
	configs := newConfigLoader(d.Store, d.Settings)
	waits := &RateWaits{}
	return &Services{
		Reports: &Reports{
			store: d.Store, metrics: d.Metrics, settings: d.Settings, now: d.Now, configs: configs, evaluations: d.Evaluations,
		},
		Waits:   waits,
		deps:    d,
		configs: configs,
		judge: &judge{
			store: d.Store, metrics: d.Metrics, evaluations: d.Evaluations, requestBudget: d.Settings.RequestBudget, now: d.Now,
		},
		fixes:    &fixPlanner{configRepo: d.Settings.ConfigRepo, configPath: d.Settings.ConfigPath, webURL: d.Settings.WebURL},
		outcomes: &jobOutcomes{waits: waits, metrics: d.Metrics},
	}
}

// target is the repository a job works on, in its installation.
type target struct {
	inst          ghport.Installation
	instID        int64
	owner, repo   string
	repoID        int64
	defaultBranch string
}

func (t target) fullName() string { return t.owner + "/" + t.repo }

func logger(ctx context.Context) *zerolog.Logger { return zerolog.Ctx(ctx) }

// insert queues a job outside any other transaction.
func insert(ctx context.Context, st *store.Store, args river.JobArgs) error {
	return st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertJob(ctx, args, nil)
		return err
	})
}
