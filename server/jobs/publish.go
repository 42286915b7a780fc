package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// ReportProblems remembers, per organisation, why its report could not be
// published (for example: the report repository does not exist), for /readyz and
// the JSON API.
type ReportProblems struct {
	mu sync.Mutex
	by map[string]string
}

func (p *ReportProblems) set(owner, problem string) {
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

// All returns the current problems by organisation.
func (p *ReportProblems) All() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]string, len(p.by))
	for k, v := range p.by {
		out[k] = v
	}
	return out
}

// Get returns an organisation's problem, "" when none.
func (p *ReportProblems) Get(owner string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.by[strings.ToLower(owner)]
}

// buildReport aggregates an organisation's stored outcomes and sweep history.
func (e *Evaluator) buildReport(ctx context.Context, owner string, oc *evaluation.Org) (*report.Report, error) {
	st := e.Store
	repos, err := e.storedOutcomes(ctx, owner, oc)
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
	rep := report.Build(owner, repos, oc.Config, history, e.now().UTC())
	rep.Sweep = latest
	if len(records) > 0 {
		rep.Unjudged = unjudgedOf(records[0].Unjudged)
	}
	return rep, nil
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
// repository stored before outcomes were kept.
func (e *Evaluator) storedOutcomes(ctx context.Context, owner string, oc *evaluation.Org) ([]report.Repo, error) {
	eng, err := e.evaluations().Engine(ctx, oc.Custom)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, r := range eng.Rules() {
		titles[r.ID] = r.Title
	}
	dec := report.NewOutcomeDecoder(titles)
	var (
		repos []report.Repo
		old   = map[int64]int{} // index in repos, by repository ID
	)
	err = e.Store.RepoStates(ctx, owner, false, func(s store.RepoState) error {
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
	outcomes := map[int64][]byte{}
	err = e.Store.RepoStates(ctx, owner, true, func(s store.RepoState) error {
		i, ok := old[s.RepoID]
		if !ok || len(s.Evaluation) == 0 {
			return nil
		}
		var ev policies.Evaluation
		if err := json.Unmarshal(s.Evaluation, &ev); err != nil {
			return fmt.Errorf("stored evaluation of %s: %w", s.Name, err)
		}
		repos[i].Evaluation, repos[i].Owner = &ev, ev.Owner
		outcomes[s.RepoID], err = report.EncodeOutcome(&ev)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Stored once, the next report reads the outcomes alone.
	for id, outcome := range outcomes {
		if err := e.Store.SaveOutcome(ctx, id, outcome); err != nil {
			return nil, err
		}
	}
	return repos, nil
}

// Report is an organisation's report from what is stored, without asking GitHub
// (the JSON API serves it). found is false when nothing of the organisation is.
func (e *Evaluator) Report(ctx context.Context, owner string) (rep *report.Report, found bool, err error) {
	instID, err := e.Store.OwnerInstallation(ctx, owner)
	if err != nil || instID == 0 {
		return nil, false, err
	}
	oc := &evaluation.Org{Config: config.DefaultOrg()}
	data, found, _, err := e.Store.CachedFile(ctx, instID, owner+"/"+e.Settings.ConfigRepo, cacheRefDefault, bundlePath)
	if err != nil {
		return nil, false, err
	}
	if found {
		var b configBundle
		if err := json.Unmarshal(data, &b); err == nil {
			if oc, err = e.resolveBundle(ctx, instID, owner+"/"+e.Settings.ConfigRepo, b); err != nil {
				return nil, false, err
			}
		}
	}
	rep, err = e.buildReport(ctx, owner, oc)
	return rep, err == nil, err
}

// insert queues a job outside any other transaction.
func (e *Evaluator) insert(ctx context.Context, args river.JobArgs) error {
	return e.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertJob(ctx, args, nil)
		return err
	})
}

// publish brings the report issue up to date; after a sweep (rec not nil) it first
// records the sweep with its summary, the trend's next point.
func (w *Evaluator) publish(ctx context.Context, inst ghport.Installation, a SweepArgs, oc *evaluation.Org, rec *store.SweepRecord) error {
	rep, err := w.buildReport(ctx, a.Owner, oc)
	if err != nil {
		return err
	}
	if rec != nil {
		summary := rep.Summary()
		summary.StartedAt, summary.FinishedAt = rec.StartedAt, rec.FinishedAt
		summary.Repositories, summary.Evaluated, summary.Unchanged = rec.Repositories, rec.Evaluated, rec.Unchanged
		if rec.Summary, err = json.Marshal(summary); err != nil {
			return err
		}
		if err := w.Store.SaveSweep(ctx, *rec); err != nil {
			return err
		}
		rep.Sweep = &summary
		rep.Unjudged = unjudgedOf(rec.Unjudged)
		if w.Metrics != nil {
			w.Metrics.SweepCompleted.WithLabelValues(strings.ToLower(a.Owner)).Set(float64(rec.FinishedAt.Unix()))
		}
		logger(ctx).Info().Str("owner", a.Owner).Int("repositories", rec.Repositories).Int("evaluated", rec.Evaluated).
			Int("unchanged", rec.Unchanged).Int("unjudged", len(rep.Unjudged)).Msg("sweep finished")
	}
	body := report.Markdown(rep, report.MarkdownOptions{APIURL: w.Settings.APIURL(a.Owner), WebURL: w.Settings.WebURL})
	err = w.writeReportIssue(ctx, inst, a, oc.Config.ReportRepository(w.Settings.ConfigRepo), body)
	if errors.Is(err, ghport.ErrGone) {
		// The report repository does not exist (or the app cannot write there):
		// say so loudly, keep sweeping and serving the JSON report.
		msg := fmt.Sprintf("report repository %s/%s is missing or not writable: %v", a.Owner, oc.Config.ReportRepository(w.Settings.ConfigRepo), err)
		logger(ctx).Error().Str("owner", a.Owner).Msg(msg)
		w.Reports.set(a.Owner, msg)
		return nil
	}
	if err == nil {
		w.Reports.set(a.Owner, "")
	}
	return err
}

// writeReportIssue keeps the one report issue up to date and edits it only when
// the body changes. The issue it wrote before is edited even when a person closed
// it (and stays closed: the JSON API says so) until it is reopened or deleted;
// without one, it is found (by marker and author, never by title alone) or
// created, and duplicates are closed. The issue is re-read just before writing: a
// re-scan box ticked in the meantime stays ticked and is answered with another sweep.
func (w *Evaluator) writeReportIssue(ctx context.Context, inst ghport.Installation, a SweepArgs, repo, body string) error {
	current, found, err := w.knownReportIssue(ctx, inst, a.Owner, repo)
	if err != nil {
		return err
	}
	if !found || current.Open {
		number, err := w.findReportIssue(ctx, inst, a.Owner, repo, current.Number)
		if err != nil {
			return err
		}
		if number == 0 {
			n, err := inst.CreateIssue(ctx, a.Owner, repo, report.Title, body, []string{report.Label})
			if err != nil {
				return err
			}
			return w.Store.SaveReportIssue(ctx, a.Owner, store.ReportIssue{Repo: repo, Number: n})
		}
		if !found {
			if current, err = inst.Issue(ctx, a.Owner, repo, number); err != nil {
				return err
			}
		}
	}
	if err := w.Store.SaveReportIssue(ctx, a.Owner, store.ReportIssue{Repo: repo, Number: current.Number, Closed: !current.Open}); err != nil {
		return err
	}
	if report.RescanRequested(current.Body) && a.Reason != "rescan" {
		body = strings.Replace(body, report.RescanUnchecked, report.RescanChecked, 1)
		if err := w.insert(ctx, SweepArgs{InstallationID: a.InstallationID, Owner: a.Owner, Reason: "rescan", Request: "rescan"}); err != nil {
			return err
		}
	}
	if current.Body == body {
		return nil
	}
	return inst.EditIssue(ctx, a.Owner, repo, current.Number, body)
}

// knownReportIssue reads the report issue written before in repo, open or closed;
// found is false when there is none, or a person deleted it.
func (w *Evaluator) knownReportIssue(ctx context.Context, inst ghport.Installation, owner, repo string) (ghport.Issue, bool, error) {
	known, err := w.Store.ReportIssue(ctx, owner)
	if err != nil || known.Number == 0 || !strings.EqualFold(known.Repo, repo) {
		return ghport.Issue{}, false, err
	}
	is, err := inst.Issue(ctx, owner, repo, known.Number)
	if errors.Is(err, ghport.ErrGone) {
		// Deleted (GitHub answers 410), or the repository is gone: looked for anew.
		return ghport.Issue{}, false, nil
	}
	return is, err == nil, err
}

// findReportIssue returns the open report issue to keep — keep when it is among
// them, else the oldest — (0 when there is none) and closes the others.
func (w *Evaluator) findReportIssue(ctx context.Context, inst ghport.Installation, owner, repo string, keep int) (int, error) {
	issues, err := inst.FindIssues(ctx, owner, repo, report.Marker)
	if err != nil || len(issues) == 0 {
		return 0, err
	}
	kept := issues[0].Number
	for _, is := range issues {
		if is.Number == keep {
			kept = keep
		}
	}
	for _, dup := range issues {
		if dup.Number == kept {
			continue
		}
		if err := inst.CloseIssue(ctx, owner, repo, dup.Number); err != nil {
			return 0, err
		}
	}
	return kept, nil
}

// ReportIssue is where an organisation's report issue is, as the JSON API shows it.
type ReportIssue struct {
	Repository string `json:"repository"`
	Number     int    `json:"number"`
	State      string `json:"state"` // open or closed
	Note       string `json:"note,omitempty"`
}

// ReportIssueOf says where an organisation's report issue is; nil when none was written.
func (e *Evaluator) ReportIssueOf(ctx context.Context, owner string) (*ReportIssue, error) {
	is, err := e.Store.ReportIssue(ctx, owner)
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

// SweepAllWorker asks for a sweep of every installation (the periodic job; River
// runs periodic jobs on the elected leader only, so once per cluster).
type SweepAllWorker struct {
	river.WorkerDefaults[SweepAllArgs]
	*Evaluator
}

// Work implements river.Worker.
func (w *SweepAllWorker) Work(ctx context.Context, job *river.Job[SweepAllArgs]) error {
	list, err := w.GitHub.Installations(ctx)
	if err == nil {
		for _, in := range list {
			if err = w.insert(ctx, SweepArgs{InstallationID: in.ID, Owner: in.Account, Reason: "periodic"}); err != nil {
				break
			}
		}
	}
	return w.outcome(ctx, job.Kind, "all installations", err)
}
