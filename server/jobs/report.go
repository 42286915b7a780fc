package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// reportProblems remembers, per organisation, why its report could not be
// published (for example: the report repository does not exist), for /readyz and
// the JSON API.
type reportProblems struct {
	mu sync.Mutex
	by map[string]string
}

func (p *reportProblems) set(owner, problem string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.by == nil {
		p.by = map[string]string{}
	}
	if problem == "" {
		delete(p.by, strings.ToLower(owner))
		return
	}
	p.by[strings.ToLower(owner)] = problem
}

// all returns the current problems by organisation.
func (p *reportProblems) all() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]string, len(p.by))
	for k, v := range p.by {
		out[k] = v
	}
	return out
}

// get returns an organisation's problem, "" when none.
func (p *reportProblems) get(owner string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.by[strings.ToLower(owner)]
}

// Reports builds organisations' adoption reports from what is stored (the JSON
// API reads them) and keeps each organisation's one report issue up to date.
type Reports struct {
	store       *store.Store
	metrics     *metrics.Metrics // nil: nothing is counted
	settings    Settings
	now         func() time.Time
	configs     *configLoader
	evaluations *evaluation.Service // titles the stored outcomes by the rules in force
	problems    reportProblems
}

// Problem says why an organisation's report issue could not be written, "" when
// it could.
func (rp *Reports) Problem(owner string) string { return rp.problems.get(owner) }

// Problems are the organisations whose report issue could not be written, with why.
func (rp *Reports) Problems() map[string]string { return rp.problems.all() }

// build aggregates an organisation's stored outcomes and sweep history.
// backfill stores the outcomes of repositories evaluated before outcomes were
// kept; only the publishing job asks for it, so a GET never writes.
func (rp *Reports) build(ctx context.Context, owner string, oc *evaluation.Org, backfill bool) (*report.Report, error) {
	st := rp.store
	repos, err := rp.storedOutcomes(ctx, owner, oc, backfill)
	if err != nil {
		return nil, err
	}
	records, err := st.Sweeps(ctx, owner, report.TrendPoints+1)
	if err != nil {
		return nil, err
	}
	var history []report.SweepSummary
	var latest *report.SweepSummary
	for i := len(records) - 1; i >= 0; i-- { // oldest first
		var s report.SweepSummary
		if len(records[i].Summary) > 0 && json.Unmarshal(records[i].Summary, &s) == nil {
			history = append(history, s)
		}
		if i == 0 {
			latest = &report.SweepSummary{
				StartedAt: records[i].StartedAt, FinishedAt: records[i].FinishedAt, Repositories: records[i].Repositories,
				Evaluated: records[i].Evaluated, Unchanged: records[i].Unchanged,
				Waiting: records[i].Waiting, WaitingUntil: records[i].WaitingUntil,
			}
		}
	}
	rep := report.Build(owner, repos, oc.Config, history, rp.now().UTC())
	rep.Sweep = latest
	if len(records) > 0 {
		rep.Unjudged = unjudgedOf(records[0].Unjudged)
	}
	if oc.Config.Fixes.Enabled {
		if rep.FixTeams, err = rp.fixTeams(ctx, owner, rep.Teams); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// fixTeams offers each team its fix pull requests, with its last request's progress.
func (rp *Reports) fixTeams(ctx context.Context, owner string, teams []report.Team) ([]report.FixTeam, error) {
	runs, err := rp.store.FixRuns(ctx, owner)
	if err != nil {
		return nil, err
	}
	var out []report.FixTeam
	for _, t := range teams {
		if t.Owner == "" {
			continue
		}
		ft := report.FixTeam{Team: t.Owner, Repositories: t.Repositories}
		for _, r := range runs {
			if r.Team == report.FixLabel(t.Owner) {
				ft.Progress = &report.FixProgress{Total: r.Total, Done: r.Done, Failed: r.Failed, Problem: r.Problem}
			}
		}
		out = append(out, ft)
	}
	return out, nil
}

// unjudgedOf decodes a sweep's repositories not judged; unreadable is none.
func unjudgedOf(raw []byte) []report.RepoReason {
	out := []report.RepoReason{}
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil || out == nil {
		return []report.RepoReason{}
	}
	return out
}

// storedOutcomes reads what the report needs of every repository of owner: the
// stored outcomes, titled by the rules in force, and the full evaluation of any
// repository stored before outcomes were kept (whose outcome is stored when backfill).
func (rp *Reports) storedOutcomes(ctx context.Context, owner string, oc *evaluation.Org, backfill bool) ([]report.Repo, error) {
	eng, err := rp.evaluations.Engine(ctx, oc.Custom)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, r := range eng.Rules() {
		titles[r.ID] = r.Title
	}
	dec := store.NewOutcomeDecoder(titles)
	var (
		repos []report.Repo
		old   = map[int64]int{} // index in repos, by repository ID
	)
	err = rp.store.RepoStates(ctx, owner, func(s store.RepoState) error {
		r := report.Repo{Name: s.Name, EvaluatedAt: s.EvaluatedAt}
		if len(s.Outcome) > 0 {
			ev, err := dec.Decode(s.Outcome)
			if err != nil {
				return fmt.Errorf("stored outcome of %s: %w", s.Name, err)
			}
			r.Evaluation, r.Owner = ev, ev.Owner
		} else if !s.EvaluatedAt.IsZero() {
			old[s.RepoID] = len(repos)
		}
		repos = append(repos, r)
		return nil
	})
	if err != nil || len(old) == 0 {
		return repos, err
	}
	backfilled := map[int64]*policies.Evaluation{}
	err = rp.store.StatesWithoutOutcome(ctx, owner, func(s store.RepoState) error {
		i, ok := old[s.RepoID]
		if !ok {
			return nil
		}
		repos[i].Evaluation, repos[i].Owner = s.Evaluation, s.Evaluation.Owner
		if backfill {
			backfilled[s.RepoID] = s.Evaluation
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Stored once, the next report reads the outcomes alone.
	for id, ev := range backfilled {
		if err := rp.store.SaveOutcome(ctx, id, ev); err != nil {
			return nil, err
		}
	}
	return repos, nil
}

// Report is an organisation's report from what is stored, without asking GitHub
// (the JSON API serves it). found is false when nothing of the organisation is.
func (rp *Reports) Report(ctx context.Context, owner string) (rep *report.Report, found bool, err error) {
	instID, err := rp.store.OwnerInstallation(ctx, owner)
	if err != nil || instID == 0 {
		return nil, false, err
	}
	oc, err := rp.configs.stored(ctx, instID, owner)
	if err != nil {
		return nil, false, err
	}
	rep, err = rp.build(ctx, owner, oc, false)
	return rep, err == nil, err
}

// ReportIssue is where an organisation's report issue is, as the JSON API shows it.
type ReportIssue struct {
	Repository string `json:"repository"`
	Number     int    `json:"number"`
	State      string `json:"state"` // open or closed
	Note       string `json:"note,omitempty"`
}

// ReportIssueOf says where an organisation's report issue is; nil when none was written.
func (rp *Reports) ReportIssueOf(ctx context.Context, owner string) (*ReportIssue, error) {
	is, err := rp.store.ReportIssue(ctx, owner)
	if err != nil || is.Number == 0 {
		return nil, err
	}
	out := &ReportIssue{Repository: owner + "/" + is.Repo, Number: is.Number, State: "open"}
	if is.Closed {
		out.State = "closed"
		out.Note = "closed by a person: the app keeps editing it without reopening it; reopen it to show it again, or delete it for a new one"
	}
	return out, nil
}
