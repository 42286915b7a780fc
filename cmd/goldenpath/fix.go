package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/fix"
)

func newFixCommand() *cobra.Command {
	var configPath, policiesDir string
	var rules []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "fix [DIR]",
		Short: "Write the files that make failing golden-path rules pass",
		Long: `Write the files that make failing rules pass (catalog-info.yaml, CODEOWNERS,
SECURITY.md, .github/dependabot.yml, mkdocs.yml and docs/, a README, a runbook),
filled from the checkout's own facts. An existing file is never overwritten.
--dry-run prints the files as a unified diff instead. Exit status as check, for
the checkout with the fixes: 1 when an error-severity rule still fails, 0
otherwise, 2 on usage or input errors.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			for _, id := range rules {
				if !slices.Contains(fix.Rules(), id) {
					return usageError("--rule %s: no fix for this rule (fixes exist for %s)", id, strings.Join(fix.Rules(), ", "))
				}
			}
			env, err := loadLocalEnv(cmd.Context(), configPath, policiesDir)
			if err != nil {
				return err
			}
			return runFix(cmd.Context(), cmd.OutOrStdout(), env, dir, rules, dryRun)
		},
	}
	cmd.Flags().StringArrayVar(&rules, "rule", nil, "fix only this rule (repeatable); default every failing rule that has a fix")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the files as a unified diff, write nothing")
	cmd.Flags().StringVar(&configPath, "config", "", "organisation golden-path.yaml to apply (its fixes: section too)")
	cmd.Flags().StringVar(&policiesDir, "policies", "", "directory of custom .rego rules")
	return cmd
}

// runFix fixes the checkout in dir: only the rules in only, when given.
func runFix(ctx context.Context, out io.Writer, env *localEnv, dir string, only []string, dryRun bool) error {
	gen, err := orgGenerator(env.org, filepath.Dir(env.configPath))
	if err != nil {
		return usageError("%v", err)
	}
	l, err := env.open(ctx, dir)
	if err != nil {
		return err
	}
	ev, err := l.evaluate(ctx, l.snap)
	if err != nil {
		return err
	}
	facts, err := fix.Gather(ctx, l.snap, l.repo, ev, fix.Options{DefaultOwner: l.org.Fixes.Owner})
	if err != nil {
		return usageError("%v", err)
	}
	plan, err := gen.Plan(facts, fixable(ev, l.org.Fixes.Rules, only))
	if err != nil {
		return usageError("%v", err)
	}
	if dryRun {
		err = printDiff(out, plan)
	} else {
		err = writeFiles(out, dir, plan)
	}
	if err != nil {
		return err
	}
	for _, u := range plan.Unfixable {
		fmt.Fprintf(out, "cannot fix %s: %s\n", u.Rule, u.Reason)
	}
	if len(plan.Files) == 0 && len(plan.Unfixable) == 0 {
		fmt.Fprintln(out, "nothing to fix")
	}
	after, err := l.evaluate(ctx, fix.Overlay(l.snap, plan.Files))
	if err != nil {
		return err
	}
	if after.Failed() {
		return &exitError{code: 1, err: errors.New("")}
	}
	return nil
}

// fixable is the failing rules to fix: limited by the org's fixes.rules and
// the --rule flags when either is given.
func fixable(ev *policies.Evaluation, orgRules, only []string) []string {
	var ids []string
	for _, r := range ev.Results {
		if r.Status != policies.StatusFail {
			continue
		}
		if (len(orgRules) > 0 && !slices.Contains(orgRules, r.Rule)) || (len(only) > 0 && !slices.Contains(only, r.Rule)) {
			continue
		}
		ids = append(ids, r.Rule)
	}
	return ids
}

// orgGenerator reads fixes.templates, which name files of the config
// repository: locally, paths relative to the config file's directory.
func orgGenerator(org *config.Org, root string) (*fix.Generator, error) {
	if len(org.Fixes.Templates) == 0 {
		return fix.Bundled, nil
	}
	texts := map[string]string{}
	for target, src := range org.Fixes.Templates {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(src)))
		if err != nil {
			return nil, fmt.Errorf("fixes.templates.%s: %w", target, err)
		}
		texts[target] = string(b)
	}
	return fix.New(texts)
}

func printDiff(out io.Writer, plan *fix.Plan) error {
	for _, f := range plan.Files {
		diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			B: difflib.SplitLines(strings.TrimSuffix(string(f.Content), "\n")), FromFile: "/dev/null", ToFile: "b/" + f.Path, Context: 3,
		})
		if err != nil {
			return fmt.Errorf("diff %s: %w", f.Path, err)
		}
		if _, err := fmt.Fprintf(out, "diff --git a/%s b/%s\nnew file mode 100644\n%s", f.Path, f.Path, diff); err != nil {
			return err
		}
	}
	return nil
}

// writeFiles adds the plan's files under dir. O_EXCL keeps the promise even
// for a file the listing did not show (ignored by git, or created meanwhile).
func writeFiles(out io.Writer, dir string, plan *fix.Plan) error {
	for _, f := range plan.Files {
		full := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return usageError("write %s: %v", f.Path, err)
		}
		file, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(out, "kept %s: it exists\n", f.Path)
			continue
		}
		if err != nil {
			return usageError("write %s: %v", f.Path, err)
		}
		_, err = file.Write(f.Content)
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return usageError("write %s: %v", f.Path, err)
		}
		fmt.Fprintf(out, "added %s (%s)\n", f.Path, f.Rule)
	}
	return nil
}
