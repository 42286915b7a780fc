package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/format"
	"github.com/goldenpath/goldenpath/server/jobs"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// apiHandler serves /api/v1 behind the bearer token; with no token configured the
// API is off (404), so it is never open by accident.
func apiHandler(st *store.Store, reports *jobs.Reports, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/orgs/{org}/report", func(w http.ResponseWriter, r *http.Request) {
		org := r.PathValue("org")
		rep, found, err := reports.Report(r.Context(), org)
		if err != nil {
			http.Error(w, "report: "+err.Error(), http.StatusInternalServerError)
			return
		}
		if !found {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no repository of this organisation has been evaluated yet"})
			return
		}
		issue, err := reports.ReportIssueOf(r.Context(), org)
		if err != nil {
			http.Error(w, "report issue: "+err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, reportView{Report: rep, Issue: issue, PublishProblem: reports.Problem(org)})
	})
	mux.HandleFunc("GET /api/v1/orgs/{org}/repos/{repo}", func(w http.ResponseWriter, r *http.Request) {
		view, err := latestEvaluation(r.Context(), st, r.PathValue("org"), r.PathValue("repo"))
		if err != nil {
			http.Error(w, "store: "+err.Error(), http.StatusInternalServerError)
			return
		}
		if view == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no evaluation of this repository yet"})
			return
		}
		writeJSON(w, http.StatusOK, view)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			http.NotFound(w, r)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="goldenpath"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "a valid bearer token is required"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// reportView is GET /api/v1/orgs/{org}/report: the report, where its issue is
// (and whether a person closed it), and why it could not be written when that is so.
type reportView struct {
	*report.Report
	Issue          *jobs.ReportIssue `json:"issue,omitempty"`
	PublishProblem string            `json:"publish_problem,omitempty"`
}

// repoView is GET /api/v1/orgs/{org}/repos/{repo}: the latest stored evaluation,
// in the form of `goldenpath check --format json` (components and all).
type repoView struct {
	Repository  string          `json:"repository"`
	HeadSHA     string          `json:"head_sha,omitempty"` // a sweep knows the tree, not the commit
	TreeSHA     string          `json:"tree_sha,omitempty"`
	Ref         string          `json:"ref"`
	EvaluatedAt time.Time       `json:"evaluated_at"`
	Evaluation  json.RawMessage `json:"evaluation"`
}

// latestEvaluation is the repository's default-branch evaluation as sweeps and
// pushes keep it (under its current name), else the latest evaluation of any of its
// commits; nil when there is none.
func latestEvaluation(ctx context.Context, st *store.Store, owner, repo string) (*repoView, error) {
	state, err := st.RepoState(ctx, owner, repo)
	if err != nil {
		return nil, err
	}
	if state != nil && state.Evaluation != nil {
		ev, err := checkJSON(state.Evaluation)
		return &repoView{
			Repository: state.Owner + "/" + state.Name, TreeSHA: state.TreeSHA, Ref: "refs/heads/" + state.DefaultBranch,
			EvaluatedAt: state.EvaluatedAt, Evaluation: ev,
		}, err
	}
	rec, err := st.LatestEvaluation(ctx, owner, repo)
	if err != nil || rec == nil {
		return nil, err
	}
	ev, err := checkJSON(rec.Evaluation)
	return &repoView{
		Repository: rec.Owner + "/" + rec.Repo, HeadSHA: rec.HeadSHA, Ref: rec.Ref,
		EvaluatedAt: rec.CreatedAt, Evaluation: ev,
	}, err
}

// checkJSON rewrites a stored evaluation as `goldenpath check --format json`
// writes it, so that scripts read one shape: components, results and files are
// arrays, never null, also in evaluations stored before components.
func checkJSON(ev *policies.Evaluation) (json.RawMessage, error) {
	w, err := format.ByName(format.JSON, format.Options{})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := w.Write(&b, ev); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
