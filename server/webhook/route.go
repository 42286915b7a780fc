// Package webhook turns GitHub webhook deliveries into durable jobs. Handlers only
// parse, filter and queue: all work happens in server/jobs.
package webhook

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/riverqueue/river"

	"github.com/goldenpath/goldenpath/server/jobs"
)

// Events lists the events routed to jobs. Every other event is acknowledged and
// ignored by the dispatcher.
var Events = []string{"pull_request", "check_suite", "check_run", "push"}

// plan is what a delivery asks for: jobs to queue, and the newest head of a pull
// request to remember (so a late evaluation of an older head keeps quiet).
type plan struct {
	jobs     []river.JobArgs
	pullHead *pullHead
}

type pullHead struct {
	repoID int64
	number int
	sha    string
}

// PayloadError is a delivery whose body does not parse: GitHub gets a 400.
type PayloadError struct{ Err error }

func (e *PayloadError) Error() string { return "malformed webhook payload: " + e.Err.Error() }
func (e *PayloadError) Unwrap() error { return e.Err }

// route decides what a delivery asks for. It is pure, so every event and action is
// table-tested without a database.
func route(event, delivery string, payload []byte, configRepo string) (plan, error) {
	var p plan
	switch event {
	case "pull_request":
		var e github.PullRequestEvent
		if err := decode(payload, &e); err != nil {
			return p, err
		}
		switch e.GetAction() {
		case "opened", "synchronize", "reopened":
		case "edited":
			if e.GetChanges().GetBase() == nil {
				return p, nil // a title or body edit changes nothing we judge
			}
		default:
			return p, nil
		}
		pr, repo := e.GetPullRequest(), e.GetRepo()
		if err := require(e.GetInstallation().GetID() != 0 && repo.GetID() != 0 && pr.GetHead().GetSHA() != "", "installation, repository and pull_request.head.sha"); err != nil {
			return p, err
		}
		p.jobs = append(p.jobs, jobs.PullArgs{
			InstallationID: e.GetInstallation().GetID(), RepoID: repo.GetID(),
			Owner: repo.GetOwner().GetLogin(), Repo: repo.GetName(), DefaultBranch: repo.GetDefaultBranch(),
			Number: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA(), BaseSHA: pr.GetBase().GetSHA(), Delivery: delivery,
		})
		p.pullHead = &pullHead{repoID: repo.GetID(), number: pr.GetNumber(), sha: pr.GetHead().GetSHA()}
	case "check_suite":
		var e github.CheckSuiteEvent
		if err := decode(payload, &e); err != nil {
			return p, err
		}
		if a := e.GetAction(); a != "requested" && a != "rerequested" {
			return p, nil
		}
		suite := e.GetCheckSuite()
		if err := require(e.GetInstallation().GetID() != 0 && e.GetRepo().GetID() != 0 && suite.GetHeadSHA() != "", "installation, repository and check_suite.head_sha"); err != nil {
			return p, err
		}
		p.jobs = rerun(e.GetInstallation().GetID(), e.GetRepo(), suite.GetHeadSHA(), suite.PullRequests, delivery)
	case "check_run":
		var e github.CheckRunEvent
		if err := decode(payload, &e); err != nil {
			return p, err
		}
		if e.GetAction() != "rerequested" {
			return p, nil
		}
		run := e.GetCheckRun()
		if err := require(e.GetInstallation().GetID() != 0 && e.GetRepo().GetID() != 0 && run.GetHeadSHA() != "", "installation, repository and check_run.head_sha"); err != nil {
			return p, err
		}
		p.jobs = rerun(e.GetInstallation().GetID(), e.GetRepo(), run.GetHeadSHA(), run.GetCheckSuite().PullRequests, delivery)
	case "push":
		var e github.PushEvent
		if err := decode(payload, &e); err != nil {
			return p, err
		}
		repo := e.GetRepo()
		branch, ok := strings.CutPrefix(e.GetRef(), "refs/heads/")
		if !ok || branch != repo.GetDefaultBranch() || e.GetDeleted() {
			return p, nil // only the default branch is the repository's state
		}
		owner := repo.GetOwner().GetLogin()
		if owner == "" {
			owner = repo.GetOwner().GetName()
		}
		inst := e.GetInstallation().GetID()
		if err := require(inst != 0 && repo.GetID() != 0 && owner != "" && e.GetAfter() != "", "installation, repository and after"); err != nil {
			return p, err
		}
		if repo.GetName() == configRepo {
			p.jobs = append(p.jobs, jobs.ConfigArgs{InstallationID: inst, Owner: owner, Delivery: delivery})
			return p, nil
		}
		p.jobs = append(p.jobs, jobs.BranchArgs{
			InstallationID: inst, RepoID: repo.GetID(), Owner: owner, Repo: repo.GetName(),
			Branch: branch, HeadSHA: e.GetAfter(), Delivery: delivery,
		})
	}
	return p, nil
}

// rerun plans the evaluation of a head again: one job per pull request it belongs
// to, or one without a pull request (a fork's, whose pull requests GitHub omits).
func rerun(inst int64, repo *github.Repository, sha string, pulls []*github.PullRequest, delivery string) []river.JobArgs {
	base := jobs.PullArgs{
		InstallationID: inst, RepoID: repo.GetID(), Owner: repo.GetOwner().GetLogin(), Repo: repo.GetName(),
		DefaultBranch: repo.GetDefaultBranch(), HeadSHA: sha, Delivery: delivery,
	}
	if len(pulls) == 0 {
		return []river.JobArgs{base}
	}
	var out []river.JobArgs
	for _, pr := range pulls {
		a := base
		a.Number, a.BaseSHA = pr.GetNumber(), pr.GetBase().GetSHA()
		out = append(out, a)
	}
	return out
}

func decode(payload []byte, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return &PayloadError{Err: err}
	}
	return nil
}

func require(ok bool, what string) error {
	if !ok {
		return &PayloadError{Err: fmt.Errorf("missing %s", what)}
	}
	return nil
}
