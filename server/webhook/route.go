// Package webhook turns GitHub webhook deliveries into durable jobs. Handlers only
// parse, filter and queue: all work happens in server/jobs.
package webhook

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/controls"
	"github.com/goldenpath/goldenpath/server/jobargs"
	"github.com/goldenpath/goldenpath/server/webhook/plan"
)

// Events lists the events routed to jobs. Every other event is acknowledged and
// ignored by the dispatcher.
var Events = []string{"pull_request", "check_suite", "check_run", "push", "installation", "installation_repositories", "repository", "issues"}

// PayloadError is a delivery whose body does not parse: GitHub gets a 400.
type PayloadError struct{ Err error }

func (e *PayloadError) Error() string { return "malformed webhook payload: " + e.Err.Error() }
func (e *PayloadError) Unwrap() error { return e.Err }

// The payload fields routing reads. Decoding only these (rather than go-github's full
// event types) keeps a delivery with an unexpected field elsewhere, such as a
// timestamp in an old format, from being refused.
type (
	account struct {
		Login string `json:"login"`
		Name  string `json:"name"`
	}
	repository struct {
		ID            int64   `json:"id"`
		Name          string  `json:"name"`
		Owner         account `json:"owner"`
		DefaultBranch string  `json:"default_branch"`
	}
	installation struct {
		ID      int64   `json:"id"`
		Account account `json:"account"`
	}
	pullRef struct {
		Number int    `json:"number"`
		State  string `json:"state"`
		Head   struct {
			SHA  string `json:"sha"`
			Ref  string `json:"ref"`
			Repo struct {
				ID int64 `json:"id"`
			} `json:"repo"`
		} `json:"head"`
		Base struct {
			SHA string `json:"sha"`
		} `json:"base"`
	}
	event struct {
		Action       string       `json:"action"`
		Repository   repository   `json:"repository"`
		Installation installation `json:"installation"`
		PullRequest  pullRef      `json:"pull_request"`
		Changes      struct {
			Base *json.RawMessage `json:"base"`
		} `json:"changes"`
		CheckSuite struct {
			HeadSHA      string    `json:"head_sha"`
			PullRequests []pullRef `json:"pull_requests"`
		} `json:"check_suite"`
		CheckRun struct {
			HeadSHA    string `json:"head_sha"`
			CheckSuite struct {
				PullRequests []pullRef `json:"pull_requests"`
			} `json:"check_suite"`
		} `json:"check_run"`
		RequestedAction struct {
			Identifier string `json:"identifier"`
		} `json:"requested_action"`
		Ref     string `json:"ref"`
		After   string `json:"after"`
		Deleted bool   `json:"deleted"`
		Issue   struct {
			Body string `json:"body"`
			User struct {
				Type string `json:"type"`
			} `json:"user"`
		} `json:"issue"`
	}
)

// route decides what a delivery asks for. It is pure, so every event and action is
// table-tested without a database.
func route(kind, delivery string, payload []byte, configRepo string) (plan.Delivery, error) {
	var p plan.Delivery
	if !slices.Contains(Events, kind) {
		return p, nil
	}
	var e event
	if err := json.Unmarshal(payload, &e); err != nil {
		return p, &PayloadError{Err: err}
	}
	repo, inst := e.Repository, e.Installation.ID
	if !e.wanted(kind) {
		return p, nil
	}
	if err := require(inst != 0, "installation.id"); err != nil {
		return p, err
	}
	switch kind {
	case "installation":
		org := e.Installation.Account.Login
		if err := require(org != "", "installation.account.login"); err != nil {
			return p, err
		}
		if e.Action == "deleted" {
			p.Jobs = append(p.Jobs, jobargs.RepositoryArgs{InstallationID: inst, Action: "installation_deleted", Owner: org, Delivery: delivery})
		} else {
			p.Jobs = append(p.Jobs, jobargs.SweepArgs{InstallationID: inst, Owner: org, Reason: "installation", Delivery: delivery})
		}
		return p, nil
	case "installation_repositories":
		org := e.Installation.Account.Login
		if err := require(org != "", "installation.account.login"); err != nil {
			return p, err
		}
		p.Jobs = append(p.Jobs, jobargs.SweepArgs{InstallationID: inst, Owner: org, Reason: "repositories", Request: "repositories", Delivery: delivery})
		return p, nil
	}
	if err := require(repo.ID != 0 && repo.Name != "" && repo.owner() != "", "repository"); err != nil {
		return p, err
	}
	switch kind {
	case "repository":
		switch e.Action {
		case "created", "unarchived":
			p.Jobs = append(p.Jobs, jobargs.SweepArgs{InstallationID: inst, Owner: repo.owner(), Reason: "repositories", Request: "repositories", Delivery: delivery})
		default:
			p.Jobs = append(p.Jobs, jobargs.RepositoryArgs{InstallationID: inst, Action: e.Action, RepoID: repo.ID, Owner: repo.owner(), Name: repo.Name, Delivery: delivery})
		}
	case "issues":
		if controls.RescanRequested(e.Issue.Body) {
			p.Jobs = append(p.Jobs, jobargs.SweepArgs{InstallationID: inst, Owner: repo.owner(), Reason: "rescan", Request: "rescan", Delivery: delivery})
		}
		for _, label := range controls.FixTeamsRequested(e.Issue.Body) {
			p.Jobs = append(p.Jobs, jobargs.FixTeamArgs{InstallationID: inst, Owner: repo.owner(), Label: label, Delivery: delivery})
		}
	case "pull_request":
		pr := e.PullRequest
		if err := require(pr.Head.SHA != "" && pr.Number != 0, "pull_request.number and head.sha"); err != nil {
			return p, err
		}
		head := plan.PullHead{RepoID: repo.ID, Number: pr.Number, SHA: pr.Head.SHA}
		if pr.isFix(repo) {
			p.FixPull = &plan.FixPull{PullHead: head, Open: pr.State == "open"}
		}
		if e.Action == "closed" {
			return p, nil
		}
		p.Jobs = rerun(inst, repo, pr.Head.SHA, []pullRef{pr}, delivery)
		p.PullHead = &head
	case "check_suite":
		if err := require(e.CheckSuite.HeadSHA != "", "check_suite.head_sha"); err != nil {
			return p, err
		}
		p.Jobs = rerun(inst, repo, e.CheckSuite.HeadSHA, e.CheckSuite.PullRequests, delivery)
	case "check_run":
		if err := require(e.CheckRun.HeadSHA != "", "check_run.head_sha"); err != nil {
			return p, err
		}
		if e.Action == "requested_action" {
			// "Fix it for me": the repository's fix pull request, from its default branch.
			p.Jobs = append(p.Jobs, jobargs.FixArgs{
				InstallationID: inst, RepoID: repo.ID, Owner: repo.owner(), Repo: repo.Name,
				DefaultBranch: repo.DefaultBranch, HeadSHA: e.CheckRun.HeadSHA, Delivery: delivery,
			})
			return p, nil
		}
		p.Jobs = rerun(inst, repo, e.CheckRun.HeadSHA, e.CheckRun.CheckSuite.PullRequests, delivery)
	case "push":
		branch := strings.TrimPrefix(e.Ref, "refs/heads/")
		if err := require(e.After != "", "after"); err != nil {
			return p, err
		}
		if repo.Name == configRepo {
			// Configuration or custom rules changed: the sweep reloads them and
			// re-evaluates the organisation.
			p.Jobs = append(p.Jobs, jobargs.SweepArgs{InstallationID: inst, Owner: repo.owner(), Reason: "config", Request: "config " + e.After, Delivery: delivery})
			return p, nil
		}
		p.Jobs = append(p.Jobs, jobargs.BranchArgs{
			InstallationID: inst, RepoID: repo.ID, Owner: repo.owner(), Repo: repo.Name,
			Branch: branch, HeadSHA: e.After, Delivery: delivery,
		})
	}
	return p, nil
}

// wanted says whether an event's action asks for work at all; an ignored one is
// acknowledged without looking further (repository webhooks carry no installation).
func (e *event) wanted(kind string) bool {
	switch kind {
	case "pull_request":
		switch e.Action {
		case "opened", "synchronize", "reopened":
			return true
		case "closed":
			return e.PullRequest.isFix(e.Repository)
		case "edited":
			return e.Changes.Base != nil // a title or body edit changes nothing we judge
		}
	case "check_suite":
		return e.Action == "requested" || e.Action == "rerequested"
	case "check_run":
		return e.Action == "rerequested" || (e.Action == "requested_action" && e.RequestedAction.Identifier == controls.FixActionID)
	case "push":
		// Only the default branch is the repository's state.
		branch, ok := strings.CutPrefix(e.Ref, "refs/heads/")
		return ok && branch == e.Repository.DefaultBranch && !e.Deleted
	case "installation":
		return e.Action == "created" || e.Action == "deleted"
	case "installation_repositories":
		return e.Action == "added" || e.Action == "removed"
	case "repository":
		return slices.Contains([]string{"created", "renamed", "archived", "unarchived", "deleted", "transferred"}, e.Action)
	case "issues":
		// The report's re-scan box, ticked by a person in the app's report issue.
		return e.Action == "edited" && e.Issue.User.Type == "Bot" &&
			strings.Contains(e.Issue.Body, controls.Marker) &&
			(controls.RescanRequested(e.Issue.Body) || len(controls.FixTeamsRequested(e.Issue.Body)) > 0)
	}
	return false
}

// isFix says whether a pull request is from the app's fix branch of the
// repository itself (a fork's branch of that name is not the app's).
func (pr pullRef) isFix(repo repository) bool {
	return pr.Head.Ref == controls.FixBranch && pr.Head.Repo.ID == repo.ID
}

// owner is the owner's login; push payloads of old carry only its name.
func (r repository) owner() string {
	if r.Owner.Login != "" {
		return r.Owner.Login
	}
	return r.Owner.Name
}

// rerun plans the evaluation of a head: one job per pull request it belongs to, or
// one without a pull request (a fork's, whose pull requests GitHub omits).
func rerun(inst int64, repo repository, sha string, pulls []pullRef, delivery string) []river.JobArgs {
	base := jobargs.PullArgs{
		InstallationID: inst, RepoID: repo.ID, Owner: repo.owner(), Repo: repo.Name,
		DefaultBranch: repo.DefaultBranch, HeadSHA: sha, Delivery: delivery,
	}
	if len(pulls) == 0 {
		return []river.JobArgs{base}
	}
	out := make([]river.JobArgs, 0, len(pulls))
	for _, pr := range pulls {
		a := base
		a.Number, a.BaseSHA = pr.Number, pr.Base.SHA
		out = append(out, a)
	}
	return out
}

func require(ok bool, what string) error {
	if !ok {
		return &PayloadError{Err: fmt.Errorf("missing %s", what)}
	}
	return nil
}
