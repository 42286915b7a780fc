package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/goldenpath/goldenpath/policies"
)

func newPolicyCommand() *cobra.Command {
	policy := &cobra.Command{Use: "policy", Short: "Work with golden-path Rego rules"}
	policy.AddCommand(&cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the Rego unit tests (test_ rules) of the bundled rules and custom ones in DIR",
		RunE: func(cmd *cobra.Command, dirs []string) error {
			custom := map[string]string{}
			for _, dir := range dirs {
				mods, err := policies.ModulesFromDir(dir, true)
				if err != nil {
					return usageError("%v", err)
				}
				for name, src := range mods {
					custom[name] = src
				}
			}
			results, problems, err := policies.RunTests(cmd.Context(), custom)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			passed, failed := 0, 0
			for _, r := range results {
				switch {
				case r.Skip:
					fmt.Fprintf(out, "SKIP  %s.%s\n", r.Package, r.Name)
				case r.Pass:
					passed++
				default:
					failed++
					fmt.Fprintf(out, "FAIL  %s.%s (%s:%d) %s\n", r.Package, r.Name, r.File, r.Line, r.Error)
				}
			}
			for _, p := range problems {
				failed++
				fmt.Fprintf(out, "ERROR %s:%d: %s\n", p.Source, p.Line, p.Message)
			}
			fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
			if failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d rule tests failed", failed)}
			}
			return nil
		},
	})
	return policy
}
