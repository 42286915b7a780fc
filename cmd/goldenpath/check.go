package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/policies/format"
	"github.com/goldenpath/goldenpath/policies/localrepo"
)

func newCheckCommand() *cobra.Command {
	var formatName, configPath, policiesDir, failOn string
	var quiet, exitZero bool
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Evaluate a local checkout against the golden-path rules, offline",
		Long: `Evaluate a local checkout (default: the current directory) with the same engine and
rules as the GitHub App. Exit status: 1 when a rule of --fail-on severity (default error)
or above fails, 0 otherwise (always 0 with --exit-zero), 2 on usage or input errors.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			severity := policies.Severity(failOn)
			if !slices.Contains(policies.Severities, severity) {
				return usageError("--fail-on %q: want error, warning or info", failOn)
			}
			opts := format.Options{
				Color:    colorOutput(cmd.OutOrStdout(), os.Getenv, isatty.IsTerminal),
				Version:  version,
				FailOn:   severity,
				ExitZero: exitZero,
				Quiet:    quiet,
			}
			// The name is checked before the evaluation, which takes a while.
			if _, err := format.ByName(formatName, opts); err != nil {
				return usageError("%v", err)
			}
			ev, run, err := checkDir(cmd.Context(), dir, configPath, policiesDir)
			if err != nil {
				return err
			}
			engine, err := run.service.Engine(cmd.Context(), run.rules.Custom)
			if err != nil {
				return err
			}
			opts.Rules = engine.Rules()
			if opts.Paths, err = run.paths(cmd.Context()); err != nil {
				return err
			}
			writer, _ := format.ByName(formatName, opts)
			if err := writer.Write(cmd.OutOrStdout(), ev); err != nil {
				return err
			}
			if len(ev.FailingAt(severity)) > 0 && !exitZero {
				return &exitError{code: 1, err: errors.New("")}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&formatName, "format", "text", "output format: text, json, sarif or junit")
	cmd.Flags().StringVar(&configPath, "config", "", "organisation golden-path.yaml to apply")
	cmd.Flags().StringVar(&policiesDir, "policies", "", "directory of custom .rego rules")
	cmd.Flags().StringVar(&failOn, "fail-on", string(policies.SeverityError),
		"least severity whose failure fails the run (exit 1): error, warning or info")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "text format: show only what fails, and the verdict")
	cmd.Flags().BoolVar(&exitZero, "exit-zero", false,
		"exit 0 even when rules fail (input errors still exit 2), e.g. to upload SARIF in a later step")
	return cmd
}

// colorOutput decides whether the text format is coloured: only when out is a
// terminal, and never when NO_COLOR is set to anything (no-color.org) or the
// terminal is dumb. The lookups are parameters so that tests can decide them.
func colorOutput(out io.Writer, getenv func(string) string, isTerminal func(fd uintptr) bool) bool {
	f, ok := out.(*os.File)
	return ok && isTerminal(f.Fd()) && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// checkDir evaluates dir the way the server evaluates a repository: org config and
// custom rules as given, the repository's own .github/golden-path.yaml as override.
func checkDir(ctx context.Context, dir, configPath, policiesDir string) (*policies.Evaluation, *localRun, error) {
	env, err := loadLocalEnv(ctx, configPath, policiesDir)
	if err != nil {
		return nil, nil, err
	}
	l, err := env.open(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	ev, err := l.evaluate(ctx, l.snap)
	return ev, l, err
}

// localEnv is what judges a local checkout: the org configuration and the
// evaluation service with the custom rules compiled.
type localEnv struct {
	org        *config.Org
	configPath string
	service    *evaluation.Service
	rules      *evaluation.Org
}

// localRun is a local checkout with the engine and configuration that judge it.
type localRun struct {
	*localEnv
	snap     *localrepo.Dir
	repo     policies.Repository
	override evaluation.Override
}

func loadLocalEnv(ctx context.Context, configPath, policiesDir string) (*localEnv, error) {
	org := config.DefaultOrg()
	var orgData []byte
	if configPath != "" {
		var err error
		if orgData, err = os.ReadFile(configPath); err != nil {
			return nil, usageError("read config: %v", err)
		}
		if org, err = config.ParseOrg(filepath.Base(configPath), orgData); err != nil {
			return nil, usageError("%v", err)
		}
	}
	var custom map[string]string
	if policiesDir != "" {
		var err error
		if custom, err = policies.ModulesFromDir(policiesDir, false); err != nil {
			return nil, usageError("%v", err)
		}
	}
	service := evaluation.New(policies.Limits{}, nil)
	engine, err := service.Engine(ctx, custom)
	if err != nil {
		return nil, err
	}
	// The server reports a broken custom rule and runs the rest; a local run is
	// where its author fixes it, so it stops with the line.
	if problems := engine.Problems(); len(problems) > 0 {
		return nil, usageError("custom rules: %s", problemsText(problems))
	}
	if orgData != nil {
		// A misspelt rule ID would otherwise disable, re-rate or exempt nothing.
		if p := evaluation.UnknownRuleID(engine, filepath.Base(configPath), orgData); p != nil {
			return nil, usageError("%s", problemsText([]policies.Problem{*p}))
		}
	}
	return &localEnv{org: org, configPath: configPath, service: service, rules: &evaluation.Org{Config: org, Custom: custom}}, nil
}

// problemsText is problems on one line, each with its file and line.
func problemsText(problems []policies.Problem) string {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Source + ": " + p.Message
		if p.Line > 0 {
			msgs[i] = fmt.Sprintf("%s:%d: %s", p.Source, p.Line, p.Message)
		}
	}
	return strings.Join(msgs, "; ")
}

// open lists the checkout in dir and reads its own override, which a broken
// file is set aside of and reported with the results, as the server does.
func (e *localEnv) open(ctx context.Context, dir string) (*localRun, error) {
	snap, err := localrepo.Open(ctx, dir)
	if err != nil {
		return nil, usageError("%v", err)
	}
	files, _ := snap.Read(ctx, []string{evaluation.OverridePath})
	data, found := files[evaluation.OverridePath]
	return &localRun{
		localEnv: e, snap: snap, repo: snap.Repository(ctx),
		override: evaluation.ParseOverride(data, found, e.org),
	}, nil
}

// evaluate judges snap, the checkout itself or it with fixes added.
func (l *localRun) evaluate(ctx context.Context, snap policies.Snapshot) (*policies.Evaluation, error) {
	ev, _, err := l.service.Evaluate(ctx, snap, l.repo, l.rules, l.override)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return ev, nil
}

// paths lists the checkout's files.
func (l *localRun) paths(ctx context.Context) ([]string, error) {
	entries, err := l.snap.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", l.repo.Name, err)
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Path
	}
	return out, nil
}
