// Command goldenpath runs the Golden Path GitHub App and its offline checker.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

// exitError carries an exit status out of a command: 1 for failed rules, 2 for
// usage and input errors (PRODUCT.md).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) (code int) {
	// Errors are one line on stderr, never a stack trace, even for a bug.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "goldenpath: internal error: %v\n", r)
			code = 2
		}
	}()
	root := newRootCommand()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(os.Stderr, "goldenpath: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(os.Stderr, "goldenpath: %v\n", err)
	return 2
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "goldenpath",
		Short:         "Golden Path Bot: golden-path conventions checked on every repository",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	root.AddCommand(newCheckCommand(), newFixCommand(), newPolicyCommand(), newServeCommand(), newSetupCommand(), newVersionCommand())
	return root
}
