package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/checks"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/markdown"
)

// configPreview checks a pull request to the config repository: the proposed
// golden-path.yaml and custom rules must parse and compile, or the check fails with
// the file and line. When they do, the check shows what merging would change
// across the organisation. The config repository itself is not scored.
func (w *PullWorker) configPreview(ctx context.Context, inst ghport.Installation, a jobargs.PullArgs, runID int64) error {
	var problems []policies.Problem
	data, found, err := inst.File(ctx, a.Owner, a.Repo, a.HeadSHA, w.settings.ConfigPath)
	if err != nil {
		return err
	}
	next := &evaluation.Org{Config: config.DefaultOrg()}
	if found {
		if next.Config, err = w.configs.parse(data); err != nil {
			problems = append(problems, evaluation.Problem(w.settings.ConfigPath, err))
			next.Config = config.DefaultOrg()
		}
	}
	if next.Config.Policies.Path != "" {
		if next.Custom, err = readModules(ctx, inst.Snapshot(a.Owner, a.Repo, a.HeadSHA), next.Config.Policies.Path); err != nil {
			return err
		}
	}
	eng, err := w.judge.evaluations.Engine(ctx, next.Custom)
	if err != nil {
		return err
	}
	problems = append(problems, eng.Problems()...)
	if found && len(problems) == 0 {
		if p := evaluation.UnknownRuleID(eng, w.settings.ConfigPath, data); p != nil {
			problems = append(problems, *p)
		}
	}
	run := ghport.CheckRun{Name: w.settings.CheckName, HeadSHA: a.HeadSHA, Status: "completed", Conclusion: "success"}
	var b strings.Builder
	if len(problems) == 0 {
		var rules []policies.Rule
		for _, r := range eng.Rules() {
			if r.Custom {
				rules = append(rules, r)
			}
		}
		run.Title = "Configuration is valid"
		fmt.Fprintf(&b, "`%s` parses and every custom rule compiles (%d custom rules).\n", w.settings.ConfigPath, len(rules))
		for _, r := range rules {
			fmt.Fprintf(&b, "- `%s` %s (%s, level %d, %s)\n", r.ID, markdown.Text(r.Title), r.Aspect, r.Level, r.Severity)
		}
		org := target{inst: inst, instID: a.InstallationID, owner: a.Owner}
		cur, err := w.configs.load(ctx, org)
		if err != nil {
			return err
		}
		imp, err := w.judge.impact(ctx, org, cur, next)
		if err != nil {
			return fmt.Errorf("impact of %s/%s#%d: %w", a.Owner, a.Repo, a.Number, err)
		}
		b.WriteString("\n" + checks.ImpactSummary(imp))
	} else {
		run.Conclusion = "failure"
		run.Title = fmt.Sprintf("%d configuration problems", len(problems))
		b.WriteString("Merging this would leave the organisation on its last valid configuration.\n\n")
		for _, p := range problems {
			fmt.Fprintf(&b, "- `%s:%d`: %s\n", p.Source, p.Line, markdown.Text(p.Message))
			if p.Line > 0 {
				run.Annotations = append(run.Annotations, ghport.Annotation{Path: p.Source, StartLine: p.Line, EndLine: p.Line, Level: "failure", Title: "Configuration problem", Message: p.Message})
			}
		}
	}
	run.Summary = b.String()
	return inst.UpdateCheckRun(ctx, a.Owner, a.Repo, runID, run)
}
