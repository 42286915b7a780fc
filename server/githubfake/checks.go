package githubfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GitHub's limits on check runs.
const (
	maxAnnotationsPerRequest = 50
	maxCheckOutputChars      = 65535
)

// CheckRun is a check run as returned by CheckRuns.
type CheckRun struct {
	ID           int64
	Name         string
	HeadSHA      string
	Status       string // queued, in_progress or completed
	Conclusion   string // "" until completed
	ExternalID   string
	DetailsURL   string
	StartedAt    *time.Time
	CompletedAt  *time.Time
	Title        string
	Summary      string
	Text         string
	Annotations  []Annotation
	CheckSuiteID int64
	// Updates counts the PATCH requests applied to the run.
	Updates int
	// Actions are the buttons the run offers (a request's actions replace them).
	Actions []CheckRunAction
}

// CheckRunAction is a check run's button; pressing it sends check_run
// requested_action with Identifier.
type CheckRunAction struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	Identifier  string `json:"identifier"`
}

// Annotation is one check-run annotation.
type Annotation struct {
	Path            string
	StartLine       int
	EndLine         int
	StartColumn     int // 0 when not given
	EndColumn       int // 0 when not given
	AnnotationLevel string
	Message         string
	Title           string
	RawDetails      string
}

type checkRunState struct {
	CheckRun
}

// CheckRuns returns copies of the repository's check runs, oldest first.
func (f *Fake) CheckRuns(org, repo string) []CheckRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []CheckRun
	for _, cr := range f.mustRepo(org, repo).checkRuns {
		c := cr.CheckRun
		c.Annotations = slices.Clone(cr.Annotations)
		out = append(out, c)
	}
	return out
}

// CompletedCheckRuns returns the completed check runs of a repository on headSHA.
func (f *Fake) CompletedCheckRuns(org, repo, headSHA string) []CheckRun {
	var out []CheckRun
	for _, r := range f.CheckRuns(org, repo) {
		if r.HeadSHA == headSHA && r.Status == "completed" {
			out = append(out, r)
		}
	}
	return out
}

func (f *Fake) checkSuiteID(rs *repoState, sha string) int64 {
	if id, ok := rs.suites[sha]; ok {
		return id
	}
	id := f.newID()
	rs.suites[sha] = id
	return id
}

var (
	checkStatuses    = []string{"queued", "in_progress", "completed"}
	checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"}
	annotationLevels = []string{"notice", "warning", "failure"}
)

type annotationRequest struct {
	Path            *string `json:"path"`
	StartLine       *int    `json:"start_line"`
	EndLine         *int    `json:"end_line"`
	StartColumn     *int    `json:"start_column"`
	EndColumn       *int    `json:"end_column"`
	AnnotationLevel *string `json:"annotation_level"`
	Message         *string `json:"message"`
	Title           *string `json:"title"`
	RawDetails      *string `json:"raw_details"`
}

type checkOutputRequest struct {
	Title       *string             `json:"title"`
	Summary     *string             `json:"summary"`
	Text        *string             `json:"text"`
	Annotations []annotationRequest `json:"annotations"`
}

type checkRunRequest struct {
	Name        *string             `json:"name"`
	HeadSHA     *string             `json:"head_sha"`
	DetailsURL  *string             `json:"details_url"`
	ExternalID  *string             `json:"external_id"`
	Status      *string             `json:"status"`
	StartedAt   *time.Time          `json:"started_at"`
	Conclusion  *string             `json:"conclusion"`
	CompletedAt *time.Time          `json:"completed_at"`
	Output      *checkOutputRequest `json:"output"`
	Actions     *[]CheckRunAction   `json:"actions"`
}

func notSupplied(doc, field string) *response {
	return invalidRequest(doc, fmt.Sprintf("%q wasn't supplied.", field))
}

func notOneOf(doc, field, value string, allowed []string) *response {
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = strconv.Quote(a)
	}
	return invalidRequest(doc, fmt.Sprintf("For 'properties/%s', %q is not one of [%s].", field, value, strings.Join(quoted, ", ")))
}

// validateCheckRun applies GitHub's checks for a create (creating=true) or update.
func validateCheckRun(doc string, req *checkRunRequest, creating bool) *response {
	if bad := validateActions(doc, req.Actions); bad != nil {
		return bad
	}
	if creating && (req.Name == nil || *req.Name == "") {
		return notSupplied(doc, "name")
	}
	if creating && (req.HeadSHA == nil || *req.HeadSHA == "") {
		return notSupplied(doc, "head_sha")
	}
	if req.Status != nil && !slices.Contains(checkStatuses, *req.Status) {
		return notOneOf(doc, "status", *req.Status, checkStatuses)
	}
	if req.Conclusion != nil && !slices.Contains(checkConclusions, *req.Conclusion) {
		return notOneOf(doc, "conclusion", *req.Conclusion, checkConclusions)
	}
	if req.Status != nil && *req.Status == "completed" && req.Conclusion == nil {
		return notSupplied(doc, "conclusion")
	}
	if out := req.Output; out != nil {
		if out.Title == nil {
			return notSupplied(doc, "title")
		}
		if out.Summary == nil {
			return notSupplied(doc, "summary")
		}
		for _, text := range []*string{out.Summary, out.Text} {
			if text != nil {
				if n := utf8.RuneCountInString(*text); n > maxCheckOutputChars {
					return invalidRequest(doc, fmt.Sprintf("Only %d characters are allowed; %d were supplied.", maxCheckOutputChars, n))
				}
			}
		}
		if n := len(out.Annotations); n > maxAnnotationsPerRequest {
			return invalidRequest(doc, fmt.Sprintf("No more than %d items are allowed; %d were supplied.", maxAnnotationsPerRequest, n))
		}
		for _, a := range out.Annotations {
			switch {
			case a.Path == nil:
				return notSupplied(doc, "path")
			case a.StartLine == nil:
				return notSupplied(doc, "start_line")
			case a.EndLine == nil:
				return notSupplied(doc, "end_line")
			case a.AnnotationLevel == nil:
				return notSupplied(doc, "annotation_level")
			case a.Message == nil:
				return notSupplied(doc, "message")
			}
			if !slices.Contains(annotationLevels, *a.AnnotationLevel) {
				return notOneOf(doc, "annotation_level", *a.AnnotationLevel, annotationLevels)
			}
			if (a.StartColumn != nil || a.EndColumn != nil) && *a.StartLine != *a.EndLine {
				return validationError(doc, map[string]any{"resource": "CheckRun", "code": "invalid", "field": "annotations",
					"message": "start_column and end_column may only be used when start_line and end_line are the same"})
			}
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// apply copies a validated request onto the run.
func (cr *checkRunState) apply(req *checkRunRequest, now time.Time) {
	if req.Name != nil {
		cr.Name = *req.Name
	}
	if req.DetailsURL != nil {
		cr.DetailsURL = *req.DetailsURL
	}
	if req.ExternalID != nil {
		cr.ExternalID = *req.ExternalID
	}
	if req.StartedAt != nil {
		t := req.StartedAt.UTC().Truncate(time.Second)
		cr.StartedAt = &t
	}
	if req.Status != nil {
		cr.Status = *req.Status
		if cr.Status != "completed" {
			cr.Conclusion, cr.CompletedAt = "", nil
		}
	}
	if req.Conclusion != nil {
		cr.Conclusion = *req.Conclusion
		cr.Status = "completed"
		if cr.CompletedAt == nil {
			t := now
			cr.CompletedAt = &t
		}
	}
	if req.CompletedAt != nil {
		t := req.CompletedAt.UTC().Truncate(time.Second)
		cr.CompletedAt = &t
	}
	if req.Actions != nil {
		cr.Actions = slices.Clone(*req.Actions)
	}
	if out := req.Output; out != nil {
		cr.Title, cr.Summary = *out.Title, *out.Summary
		if out.Text != nil {
			cr.Text = *out.Text
		}
		for _, a := range out.Annotations {
			cr.Annotations = append(cr.Annotations, Annotation{
				Path: *a.Path, StartLine: *a.StartLine, EndLine: *a.EndLine,
				StartColumn: deref(a.StartColumn), EndColumn: deref(a.EndColumn),
				AnnotationLevel: *a.AnnotationLevel, Message: *a.Message,
				Title: deref(a.Title), RawDetails: deref(a.RawDetails),
			})
		}
	}
}

func (f *Fake) checkRunJSON(rs *repoState, cr *checkRunState) map[string]any {
	api := f.api("repos/%s/%s/check-runs/%d", rs.Owner, rs.Name, cr.ID)
	html := f.web("%s/%s/runs/%d", rs.Owner, rs.Name, cr.ID)
	details := cr.DetailsURL
	if details == "" {
		details = html
	}
	return map[string]any{
		"id":           cr.ID,
		"name":         cr.Name,
		"node_id":      nodeID("CheckRun", cr.ID),
		"head_sha":     cr.HeadSHA,
		"external_id":  cr.ExternalID,
		"url":          api,
		"html_url":     html,
		"details_url":  details,
		"status":       cr.Status,
		"conclusion":   strOrNil(cr.Conclusion),
		"started_at":   tsOrNil(cr.StartedAt),
		"completed_at": tsOrNil(cr.CompletedAt),
		"output": map[string]any{
			"title":             strOrNil(cr.Title),
			"summary":           strOrNil(cr.Summary),
			"text":              strOrNil(cr.Text),
			"annotations_count": len(cr.Annotations),
			"annotations_url":   api + "/annotations",
		},
		"check_suite":   map[string]any{"id": cr.CheckSuiteID},
		"app":           f.integrationJSON(),
		"pull_requests": f.openPullsWithHead(rs, cr.HeadSHA),
	}
}

func (rs *repoState) findCheckRun(id int64) *checkRunState {
	for _, cr := range rs.checkRuns {
		if cr.ID == id {
			return cr
		}
	}
	return nil
}

func (f *Fake) createCheckRun(c *call, req *checkRunRequest) *response {
	rs := c.rs
	if bad := validateCheckRun(c.rt.doc, req, true); bad != nil {
		return bad
	}
	sha := rs.findObject(*req.HeadSHA, "commit")
	if sha == "" {
		return problem(http.StatusUnprocessableEntity, "No commit found for SHA: "+*req.HeadSHA, c.rt.doc)
	}
	now := time.Now().UTC().Truncate(time.Second)
	cr := &checkRunState{CheckRun: CheckRun{ID: f.newID(), HeadSHA: sha, Status: "queued", StartedAt: &now, CheckSuiteID: f.checkSuiteID(rs, sha)}}
	cr.apply(req, now)
	rs.checkRuns = append(rs.checkRuns, cr)
	return jsonResponse(http.StatusCreated, f.checkRunJSON(rs, cr))
}

func (f *Fake) updateCheckRun(c *call, req *checkRunRequest) *response {
	rs := c.rs
	cr := c.run
	if bad := validateCheckRun(c.rt.doc, req, false); bad != nil {
		return bad
	}
	cr.apply(req, time.Now().UTC().Truncate(time.Second))
	cr.Updates++
	return jsonResponse(http.StatusOK, f.checkRunJSON(rs, cr))
}

// GitHub's limits on check run actions.
const (
	maxActions           = 3
	maxActionLabel       = 20
	maxActionIdentifier  = 20
	maxActionDescription = 40
)

func validateActions(doc string, actions *[]CheckRunAction) *response {
	if actions == nil {
		return nil
	}
	if len(*actions) > maxActions {
		return invalidRequest(doc, fmt.Sprintf("No more than %d actions are allowed.", maxActions))
	}
	for _, a := range *actions {
		switch {
		case a.Label == "" || utf8.RuneCountInString(a.Label) > maxActionLabel:
			return invalidRequest(doc, fmt.Sprintf("Action label must be 1 to %d characters.", maxActionLabel))
		case a.Identifier == "" || utf8.RuneCountInString(a.Identifier) > maxActionIdentifier:
			return invalidRequest(doc, fmt.Sprintf("Action identifier must be 1 to %d characters.", maxActionIdentifier))
		case a.Description == "" || utf8.RuneCountInString(a.Description) > maxActionDescription:
			return invalidRequest(doc, fmt.Sprintf("Action description must be 1 to %d characters.", maxActionDescription))
		}
	}
	return nil
}
