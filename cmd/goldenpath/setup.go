package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/goldenpath/goldenpath/server/setup"
)

func newSetupCommand() *cobra.Command {
	var opts setup.Options
	cmd := &cobra.Command{
		Use:   "setup --org ORG --webhook-url URL",
		Short: "Register the GitHub App through GitHub's app-manifest flow and write its config file",
		Long: `Register the Golden Path GitHub App on an organisation through GitHub's app-manifest
flow. setup serves a page on a local port; open it in a browser signed in to GitHub as an
owner of the organisation, confirm the app on GitHub, and GitHub sends the browser back.
The app's id, webhook secret and private key are then written to the config file
(mode 0600) for 'goldenpath serve --config FILE'.`,
		Example: `  goldenpath setup --org acme --webhook-url https://goldenpath.acme.com/api/github/hook`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup.Validate(opts); err != nil {
				return usageError("%v", err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			res, err := setup.Run(ctx, opts, func(url string) {
				fmt.Fprintf(out, "Open %s in your browser to register the GitHub App on %s.\n", url, opts.Org)
				fmt.Fprintln(out, "Waiting for GitHub to send the browser back (Ctrl-C to stop)...")
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Registered the GitHub App %q (id %d): %s\n", res.Name, res.AppID, res.HTMLURL)
			fmt.Fprintf(out, "Wrote %s (mode 0600); it holds the app's private key.\n", res.ConfigPath)
			fmt.Fprintf(out, "Next: run 'goldenpath serve --config %s' where %s reaches it, then install the app: %s\n",
				res.ConfigPath, res.WebhookURL, res.InstallURL)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Org, "org", "", "organisation that will own the app (required)")
	f.StringVar(&opts.WebhookURL, "webhook-url", "", "public URL GitHub posts webhooks to, ending in "+setup.WebhookPath+" (required)")
	f.StringVar(&opts.Output, "output", setup.DefaultOutput, "config file to write (mode 0600)")
	f.StringVar(&opts.Listen, "listen", setup.DefaultListen, "local address of the setup page (port 0: any free port)")
	f.StringVar(&opts.WebURL, "github-url", setup.DefaultWebURL, "GitHub's web URL (GitHub Enterprise: https://HOST)")
	f.BoolVar(&opts.Force, "force", false, "replace the config file if it exists")
	f.BoolVar(&opts.Fixes, "fixes", false, "also ask for contents and pull requests write, for \"Fix it for me\" pull requests (fixes.enabled)")
	return cmd
}
