package githubclient

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/goldenpath/goldenpath/server/ghport"
)

const (
	// maxAnnotationsPerRequest is GitHub's limit; further annotations are appended
	// by updating the check run again with the same output title and summary.
	maxAnnotationsPerRequest = 50
	// maxOutputText is GitHub's limit for output.summary and output.text. Counting
	// bytes keeps us within it however GitHub counts characters.
	maxOutputText        = 65535
	maxAnnotationMessage = 64 << 10
	maxAnnotationTitle   = 255
	truncationNote       = "\n\n… (truncated: the full text is longer than GitHub accepts)"
)

type checkRunRequest struct {
	Name       string           `json:"name,omitempty"`
	HeadSHA    string           `json:"head_sha,omitempty"`
	Status     string           `json:"status,omitempty"`
	Conclusion string           `json:"conclusion,omitempty"`
	DetailsURL string           `json:"details_url,omitempty"`
	Output     *checkRunOutput  `json:"output,omitempty"`
	Actions    []checkRunAction `json:"actions,omitempty"`
}

type checkRunAction struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	Identifier  string `json:"identifier"`
}

type checkRunOutput struct {
	Title       string               `json:"title"`
	Summary     string               `json:"summary"`
	Text        string               `json:"text,omitempty"`
	Annotations []checkRunAnnotation `json:"annotations,omitempty"`
}

type checkRunAnnotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	AnnotationLevel string `json:"annotation_level"`
	Title           string `json:"title,omitempty"`
	Message         string `json:"message"`
}

// CreateCheckRun creates the check run, then appends annotations beyond the first
// 50 with further updates.
func (in *Installation) CreateCheckRun(ctx context.Context, owner, repo string, run ghport.CheckRun) (int64, error) {
	ctx = in.withID(ctx)
	what := fmt.Sprintf("create check run %q on %s/%s@%s", run.Name, owner, repo, ghport.ShortSHA(run.HeadSHA))
	body, rest := checkRunBody(run)
	req, err := in.gh.NewRequest("POST", fmt.Sprintf("repos/%s/%s/check-runs", owner, repo), body)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	var created struct {
		ID int64 `json:"id"`
	}
	if _, err := in.gh.Do(ctx, req, &created); err != nil {
		return 0, classify(what, err)
	}
	if err := in.appendAnnotations(ctx, owner, repo, created.ID, body.Output, rest); err != nil {
		// The run exists: return its ID so that a retry updates it, not a new one.
		return created.ID, err
	}
	return created.ID, nil
}

// UpdateCheckRun updates the check run; annotations beyond the first 50 are
// appended with further updates.
func (in *Installation) UpdateCheckRun(ctx context.Context, owner, repo string, id int64, run ghport.CheckRun) error {
	ctx = in.withID(ctx)
	body, rest := checkRunBody(run)
	body.HeadSHA = "" // not accepted on update
	if err := in.patchCheckRun(ctx, owner, repo, id, body); err != nil {
		return err
	}
	return in.appendAnnotations(ctx, owner, repo, id, body.Output, rest)
}

func (in *Installation) appendAnnotations(ctx context.Context, owner, repo string, id int64, out *checkRunOutput, rest []checkRunAnnotation) error {
	for len(rest) > 0 {
		n := min(len(rest), maxAnnotationsPerRequest)
		// Title and summary are required with every output; repeating the text too
		// keeps it whatever GitHub does with an output that leaves it out.
		batch := &checkRunOutput{Title: out.Title, Summary: out.Summary, Text: out.Text, Annotations: rest[:n]}
		if err := in.patchCheckRun(ctx, owner, repo, id, checkRunRequest{Output: batch}); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

func (in *Installation) patchCheckRun(ctx context.Context, owner, repo string, id int64, body checkRunRequest) error {
	what := fmt.Sprintf("update check run %d on %s/%s", id, owner, repo)
	req, err := in.gh.NewRequest("PATCH", fmt.Sprintf("repos/%s/%s/check-runs/%d", owner, repo, id), body)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := in.gh.Do(ctx, req, nil); err != nil {
		return classify(what, err)
	}
	return nil
}

// checkRunBody is the first request for run, and the annotations left for later.
func checkRunBody(run ghport.CheckRun) (checkRunRequest, []checkRunAnnotation) {
	body := checkRunRequest{Name: run.Name, HeadSHA: run.HeadSHA, Status: run.Status, Conclusion: run.Conclusion, DetailsURL: run.DetailsURL}
	for _, a := range run.Actions {
		body.Actions = append(body.Actions, checkRunAction(a))
	}
	if run.Title == "" && run.Summary == "" && run.Text == "" && len(run.Annotations) == 0 {
		return body, nil
	}
	out := &checkRunOutput{
		Title:   run.Title,
		Summary: truncate(run.Summary, maxOutputText),
		Text:    truncate(run.Text, maxOutputText),
	}
	if out.Title == "" {
		out.Title = run.Name // GitHub requires one
	}
	annotations := make([]checkRunAnnotation, 0, len(run.Annotations))
	for _, a := range run.Annotations {
		annotations = append(annotations, annotation(a))
	}
	n := min(len(annotations), maxAnnotationsPerRequest)
	out.Annotations = annotations[:n]
	body.Output = out
	return body, annotations[n:]
}

// annotation fits an annotation to what GitHub validates: a line range starting
// at 1, a known level, a non-empty message, bounded title and message.
func annotation(a ghport.Annotation) checkRunAnnotation {
	start := max(a.StartLine, 1)
	end := max(a.EndLine, start)
	level := a.Level
	switch level {
	case "notice", "warning", "failure":
	default:
		level = "notice"
	}
	msg := a.Message
	if msg == "" {
		msg = a.Title
	}
	if msg == "" {
		msg = "-"
	}
	return checkRunAnnotation{
		Path:            a.Path,
		StartLine:       start,
		EndLine:         end,
		AnnotationLevel: level,
		Title:           truncateBytes(a.Title, maxAnnotationTitle, "…"),
		Message:         truncateBytes(msg, maxAnnotationMessage, "…"),
	}
}

// truncate cuts s to at most limit bytes, note included, on a rune boundary.
func truncate(s string, limit int) string { return truncateBytes(s, limit, truncationNote) }

func truncateBytes(s string, limit int, note string) string {
	if len(s) <= limit {
		return s
	}
	cut := max(limit-len(note), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + note
}
