package policies

import "slices"

// Status is the outcome of one rule on one repository.
type Status string

const (
	StatusPass  Status = "pass"
	StatusFail  Status = "fail"
	StatusSkip  Status = "skip"
	StatusError Status = "error"
)

// Severity says how much a failing rule matters.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Severities lists the severities, most severe first.
var Severities = []Severity{SeverityError, SeverityWarning, SeverityInfo}

// AtLeast reports whether s is min or more severe (error > warning > info). A
// severity that is none of the three is below every threshold.
func (s Severity) AtLeast(min Severity) bool {
	rank := func(s Severity) int { return len(Severities) - slices.Index(Severities, s) }
	return slices.Contains(Severities, s) && rank(s) >= rank(min)
}

// FileRef points at a file a result concerns, with a 1-based line when known.
type FileRef struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
}

// Result is one rule's outcome. Its JSON form is part of `goldenpath check --format json`.
type Result struct {
	Rule        string    `json:"rule"`
	Title       string    `json:"title"`
	Aspect      string    `json:"aspect"`
	Level       int       `json:"level"`
	Severity    Severity  `json:"severity"`
	Scope       string    `json:"scope"`
	Status      Status    `json:"status"`
	Message     string    `json:"message"`
	Files       []FileRef `json:"files"`
	Remediation string    `json:"remediation,omitempty"`
	// Exempt marks a skip caused by an exemption: it counts as passed in scores,
	// unlike a rule that does not apply.
	Exempt bool `json:"exempt,omitempty"`
	// NotJudged marks a skip because the evaluation is partial: the rule would
	// have failed on what was read, but its evidence may be in what was not. It
	// counts neither as failed nor in the score.
	NotJudged bool `json:"not_judged,omitempty"`
}

// FailsAt reports whether the rule failed at severity min or above.
func (r Result) FailsAt(min Severity) bool {
	return r.Status == StatusFail && r.Severity.AtLeast(min)
}

// Problem is something wrong with the configuration or a custom rule rather than with
// the repository: it is reported beside the results, and the other rules still run.
type Problem struct {
	Source  string `json:"source"` // file the problem is in
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// ExpiredExemption is an exemption that no longer applies, kept so reports can flag it.
type ExpiredExemption struct {
	Rule    string `json:"rule"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
}

// Evaluation is every rule's outcome for one repository snapshot. Its JSON form is the
// output of `goldenpath check --format json` (schema 2).
type Evaluation struct {
	Schema     int    `json:"schema"`
	Repository string `json:"repository"`
	// ComponentType is the root component's type (the first component's when
	// none sits at the root).
	ComponentType string  `json:"component_type"`
	Owner         string  `json:"owner,omitempty"`
	Summary       Summary `json:"summary"`
	// Results holds one repository-level result per rule; a component rule's
	// fails when it fails for any component.
	Results []Result `json:"results"`
	// Components holds each component with its component rules' results.
	Components []Component `json:"components"`
	Problems   []Problem   `json:"problems,omitempty"`
	// Notes are catalog targets and annotations that were ignored, with why.
	Notes             []FileError        `json:"notes,omitempty"`
	ExpiredExemptions []ExpiredExemption `json:"expired_exemptions,omitempty"`
	// Partial says why the evaluation saw only part of the repository (a request
	// budget, a limit on files read, a directory that could not be read); empty
	// when it saw all of it.
	Partial string `json:"partial,omitempty"`
}

// Failed reports whether an error-severity rule failed: the exit status of
// `goldenpath check` and the blocking conclusion of a check run hang on it.
func (e *Evaluation) Failed() bool { return len(e.FailingAt(SeverityError)) > 0 }

// FailingAt returns the repository-level results that fail at severity min or
// above: those that make `goldenpath check --fail-on min` exit 1. A rule that
// errored is not among them: it judged nothing.
func (e *Evaluation) FailingAt(min Severity) []Result {
	var out []Result
	for _, r := range e.Results {
		if r.FailsAt(min) {
			out = append(out, r)
		}
	}
	return out
}
