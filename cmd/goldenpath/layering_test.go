package main_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/goldenpath/goldenpath"

// Libraries that belong to the server's edges: GitHub access, the job queue and
// the database drivers.
var (
	githubLibraries = []string{"github.com/google/go-github/", "github.com/palantir/go-githubapp/", "github.com/bradleyfalzon/ghinstallation/"}
	queue           = []string{"github.com/riverqueue/"}
	databaseDrivers = []string{"github.com/jackc/pgx/", "modernc.org/sqlite", "github.com/mattn/go-sqlite3"}
)

// packages lists each package matched by patterns (import paths, so the test
// runs from any directory of the module) with either its direct
// imports or (deps) every package it links, tests excluded.
func packages(t *testing.T, deps bool, patterns ...string) map[string][]string {
	t.Helper()
	field := "Imports"
	if deps {
		field = "Deps"
	}
	args := append([]string{"list", "-f", "{{.ImportPath}} {{join ." + field + " \" \"}}"}, patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Skipf("go list is not available: %v", err)
	}
	pkgs := map[string][]string{}
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		fields := strings.Fields(line)
		pkgs[fields[0]] = fields[1:]
	}
	if len(pkgs) == 0 {
		t.Fatalf("go %s listed no package", strings.Join(args, " "))
	}
	return pkgs
}

// forbidden reports each of pkgs' dependencies that starts with one of prefixes.
func forbidden(t *testing.T, pkgs map[string][]string, why string, prefixes ...string) {
	t.Helper()
	for pkg, deps := range pkgs {
		for _, dep := range deps {
			for _, p := range prefixes {
				if dep == strings.TrimSuffix(p, "/") || strings.HasPrefix(dep, p) {
					t.Errorf("%s depends on %s: %s", pkg, dep, why)
				}
			}
		}
	}
}

func flat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// TestDependencyDirection holds the layering README's "Develop" section
// describes: dependencies point inward, from the server's edges to the engine.
func TestDependencyDirection(t *testing.T) {
	t.Run("engine and org configuration know no GitHub, queue, database or server", func(t *testing.T) {
		// OPA itself links net/http (http.send, bundle downloads, which the engine's
		// capabilities switch off), so "no HTTP" cannot be asserted on what the
		// engine links; it is asserted below on what our packages import.
		pkgs := packages(t, true, module+"/policies/...", module+"/config")
		forbidden(t, pkgs, "the engine is shared by goldenpath check and the server and runs on a snapshot",
			flat(githubLibraries, queue, databaseDrivers, []string{module + "/server/", module + "/cmd/"})...)
		forbidden(t, packages(t, false, module+"/policies/...", module+"/config"), "the engine reads a snapshot, never the network", "net/http")
		forbidden(t, packages(t, true, module+"/config"), "the org configuration is parsed, not fetched", "net/http")
	})
	t.Run("the GitHub adapter links neither the workers, the store nor the report", func(t *testing.T) {
		forbidden(t, packages(t, true, module+"/server/githubclient"), "the adapter implements server/ghport's ports",
			flat(queue, databaseDrivers, []string{module + "/server/jobs", module + "/server/store", module + "/server/report"})...)
	})
	t.Run("webhook routing links neither the report, the engine, the workers nor the store", func(t *testing.T) {
		forbidden(t, packages(t, true, module+"/server/webhook"),
			"routing only records the delivery and queues jobs (server/jobargs), through the interface it declares (webhook.Store)",
			module+"/server/report", module+"/policies", module+"/server/jobs", module+"/server/githubclient", module+"/server/store")
	})
	t.Run("the store links neither the report, the workers nor GitHub", func(t *testing.T) {
		forbidden(t, packages(t, true, module+"/server/store"),
			"the store encodes the engine's values (policies) and writes what a delivery asks for (server/webhook/plan), for whoever reads them",
			flat(githubLibraries, []string{module + "/server/report", module + "/server/jobs", module + "/server/githubclient"})...)
	})
	t.Run("cmd only parses flags and wires", func(t *testing.T) {
		forbidden(t, packages(t, false, module+"/cmd/..."), "the server's parts are built by server.New",
			flat(githubLibraries, queue, databaseDrivers, []string{
				module + "/server/jobs", module + "/server/store", module + "/server/githubclient", module + "/server/webhook",
			})...)
	})
}
