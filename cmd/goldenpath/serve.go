package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/goldenpath/goldenpath/server"
	"github.com/goldenpath/goldenpath/server/serverconfig"
)

func newServeCommand() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Run the GitHub App: webhooks, workers, JSON API and metrics",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configPath == "" {
				return usageError("serve needs --config FILE")
			}
			cfg, err := serverconfig.LoadServer(configPath, os.Getenv)
			if err != nil {
				return usageError("%v", err)
			}
			log := newLogger(cfg.Logging)
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			ctx = log.WithContext(ctx)
			srv, err := server.New(ctx, cfg, log, server.Options{Version: version, Commit: commit})
			if err != nil {
				return err
			}
			return srv.ListenAndRun(ctx)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "server configuration file (YAML)")
	return cmd
}

// newLogger builds the process logger; go-githubapp and the jobs log through the
// context, so it is also made the default context logger.
func newLogger(cfg serverconfig.Logging) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.Level)
	if err != nil {
		level = zerolog.InfoLevel
	}
	var log zerolog.Logger
	if cfg.Format == "text" {
		log = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr})
	} else {
		log = zerolog.New(os.Stderr)
	}
	log = log.Level(level).With().Timestamp().Logger()
	zerolog.DefaultContextLogger = &log
	return log
}
