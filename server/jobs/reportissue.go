package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// publish brings the report issue up to date; after a sweep (rec not nil) it first
// records the sweep with its summary, the trend's next point.
func (rp *Reports) publish(ctx context.Context, inst ghport.Installation, a jobargs.SweepArgs, oc *evaluation.Org, rec *store.SweepRecord) error {
	rep, err := rp.build(ctx, a.Owner, oc, true)
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
		if err := rp.store.SaveSweep(ctx, *rec); err != nil {
			return err
		}
		rep.Sweep = &summary
		rep.Unjudged = unjudgedOf(rec.Unjudged)
		if rp.metrics != nil {
			rp.metrics.SweepCompleted.WithLabelValues(strings.ToLower(a.Owner)).Set(float64(rec.FinishedAt.Unix()))
		}
		logger(ctx).Info().Str("owner", a.Owner).Int("repositories", rec.Repositories).Int("evaluated", rec.Evaluated).
			Int("unchanged", rec.Unchanged).Int("unjudged", len(rep.Unjudged)).Msg("sweep finished")
	}
	body := report.Markdown(rep, report.MarkdownOptions{APIURL: rp.settings.APIURL(a.Owner), WebURL: rp.settings.WebURL})
	err = rp.writeReportIssue(ctx, inst, a, oc.Config.ReportRepository(rp.settings.ConfigRepo), body)
	if errors.Is(err, ghport.ErrGone) {
		// The report repository does not exist (or the app cannot write there):
		// say so loudly, keep sweeping and serving the JSON report.
		msg := fmt.Sprintf("report repository %s/%s is missing or not writable: %v", a.Owner, oc.Config.ReportRepository(rp.settings.ConfigRepo), err)
		logger(ctx).Error().Str("owner", a.Owner).Msg(msg)
		rp.problems.set(a.Owner, msg)
		return nil
	}
	if err == nil {
		rp.problems.set(a.Owner, "")
	}
	return err
}

// writeReportIssue keeps the one report issue up to date and edits it only when
// the body changes. The issue it wrote before is edited even when a person closed
// it (and stays closed: the JSON API says so) until it is reopened or deleted;
// without one, it is found (by marker and author, never by title alone) or
// created, and duplicates are closed. The issue is re-read just before writing: a
// re-scan box ticked in the meantime stays ticked and is answered with another sweep.
func (rp *Reports) writeReportIssue(ctx context.Context, inst ghport.Installation, a jobargs.SweepArgs, repo, body string) error {
	current, found, err := rp.knownReportIssue(ctx, inst, a.Owner, repo)
	if err != nil {
		return err
	}
	if !found || current.Open {
		number, err := rp.findReportIssue(ctx, inst, a.Owner, repo, current.Number)
		if err != nil {
			return err
		}
		if number == 0 {
			n, err := inst.CreateIssue(ctx, a.Owner, repo, report.Title, body, []string{report.Label})
			if err != nil {
				return err
			}
			return rp.store.SaveReportIssue(ctx, a.Owner, store.ReportIssue{Repo: repo, Number: n})
		}
		if !found {
			if current, err = inst.Issue(ctx, a.Owner, repo, number); err != nil {
				return err
			}
		}
	}
	if err := rp.store.SaveReportIssue(ctx, a.Owner, store.ReportIssue{Repo: repo, Number: current.Number, Closed: !current.Open}); err != nil {
		return err
	}
	if controls.RescanRequested(current.Body) && a.Reason != "rescan" {
		body = strings.Replace(body, controls.RescanUnchecked, controls.RescanChecked, 1)
		if err := insert(ctx, rp.store, jobargs.SweepArgs{InstallationID: a.InstallationID, Owner: a.Owner, Reason: "rescan", Request: "rescan"}); err != nil {
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
func (rp *Reports) knownReportIssue(ctx context.Context, inst ghport.Installation, owner, repo string) (ghport.Issue, bool, error) {
	known, err := rp.store.ReportIssue(ctx, owner)
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
func (rp *Reports) findReportIssue(ctx context.Context, inst ghport.Installation, owner, repo string, keep int) (int, error) {
	issues, err := inst.FindIssues(ctx, owner, repo, controls.Marker)
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

// issueURL links to an organisation's adoption report issue, "" before the first
// report or when its record cannot be read (a link is not worth failing a check).
func (rp *Reports) issueURL(ctx context.Context, owner string) string {
	is, err := rp.store.ReportIssue(ctx, owner)
	if err != nil || is.Number == 0 || rp.settings.WebURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/issues/%d", strings.TrimSuffix(rp.settings.WebURL, "/"), owner, is.Repo, is.Number)
}
