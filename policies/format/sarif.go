package format

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/goldenpath/goldenpath/policies"
)

// SARIF constants GitHub code scanning relies on.
const (
	sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	toolName       = "goldenpath"
	toolInfoURI    = "https://github.com/goldenpath/goldenpath"
	// fingerprintKey names goldenpath's partial fingerprint; the version lets the
	// recipe change without colliding with alerts fingerprinted the old way.
	fingerprintKey = "goldenpath/v1"
)

// FallbackArtifact is where a SARIF result points when its rule names no file and
// no literal path among the files it reads. GitHub code scanning rejects a result
// without a location, and the repository root ("." or "") is not a file it can show.
// The Backstage catalog file is where a component declares itself, so an alert about
// the component as a whole (no runbook, no SLO) belongs there; the path is fixed so
// that the alert's fingerprint stays stable whether the file exists or not.
const FallbackArtifact = "catalog-info.yaml"

// sarifWriter writes SARIF 2.1.0 for GitHub code scanning: every rule in
// tool.driver.rules, and a result for each rule that failed or errored.
type sarifWriter struct{ opts Options }

var sarifLevels = map[policies.Severity]string{
	policies.SeverityError:   sarif.LevelError,
	policies.SeverityWarning: sarif.LevelWarning,
	policies.SeverityInfo:    sarif.LevelNote,
}

func sarifLevel(s policies.Severity) string {
	if l, ok := sarifLevels[s]; ok {
		return l
	}
	return sarif.LevelWarning
}

func (s sarifWriter) Write(w io.Writer, ev *policies.Evaluation) error {
	if ev == nil {
		return errNoEvaluation
	}
	rep := s.report(ev)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

func (s sarifWriter) report(ev *policies.Evaluation) *sarif.Report {
	known := make(map[string]*policies.Rule, len(s.opts.Rules))
	for i := range s.opts.Rules {
		known[s.opts.Rules[i].ID] = &s.opts.Rules[i]
	}

	run := sarif.NewRunWithInformationURI(toolName, toolInfoURI)
	if s.opts.Version != "" {
		run.Tool.Driver.WithVersion(s.opts.Version)
	}
	for _, r := range ev.Results {
		if run.GetRuleIndex(r.Rule) >= 0 {
			continue
		}
		addSARIFRule(run, r, known[r.Rule])
	}
	for _, sec := range sections(ev) {
		for _, r := range sec.results {
			if r.Status != policies.StatusFail && r.Status != policies.StatusError {
				continue
			}
			if sec.component != nil {
				r.Message = "component " + componentName(sec.component) + ": " + r.Message
			}
			addSARIFResult(run, r, known[r.Rule])
		}
	}
	if len(ev.Problems) > 0 || ev.Partial != "" {
		inv := problemsInvocation(ev.Problems)
		if ev.Partial != "" {
			// The analysis saw part of the repository: a warning about the run itself.
			inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel(sarif.LevelWarning).
				WithMessage(sarif.NewTextMessage("partial evaluation: " + oneLine(ev.Partial))))
		}
		run.AddInvocation(inv)
	}

	rep := sarif.NewReport()
	rep.Schema = sarifSchemaURI
	rep.AddRun(run)
	return rep
}

func addSARIFRule(run *sarif.Run, r policies.Result, rule *policies.Rule) {
	title := oneLine(r.Title)
	if title == "" {
		title = oneLine(r.Rule)
	}
	description := title
	if rule != nil && strings.TrimSpace(rule.Description) != "" {
		description = clean(strings.TrimSpace(rule.Description))
	}
	props := sarif.NewPropertyBag().WithTags([]string{r.Aspect})
	props.Add("precision", "very-high") // rules check files, they do not guess
	props.Add("goldenpath/level", r.Level)

	d := run.AddRule(r.Rule).
		WithName(ruleName(r.Rule)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(description)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity))).
		WithProperties(props)
	if remediation := strings.TrimSpace(clean(r.Remediation)); remediation != "" {
		d.WithHelp(sarif.NewMultiformatMessageString().WithText(remediation).WithMarkdown(remediation))
	}
}

func addSARIFResult(run *sarif.Run, r policies.Result, rule *policies.Rule) {
	message := strings.TrimSpace(clean(r.Message))
	if message == "" {
		message = oneLine(r.Title)
	}
	if message == "" {
		message = r.Rule
	}
	files := r.Files
	if len(files) == 0 {
		files = []policies.FileRef{{Path: fallbackPath(rule)}}
	}
	res := run.CreateResultForRule(r.Rule).
		WithLevel(sarifLevel(r.Severity)).
		WithMessage(sarif.NewTextMessage(message)).
		AddLocation(sarifLocation(files[0])).
		WithPartialFingerprints(map[string]string{fingerprintKey: fingerprint(r.Rule, files[0].Path, message)})
	for i, f := range files[1:] {
		res.AddRelatedLocation(sarifLocation(f).WithID(i + 1))
	}
}

// fallbackPath is the location of a result without files: the first literal path
// the rule reads (README.md for a README rule), else FallbackArtifact.
func fallbackPath(rule *policies.Rule) string {
	if rule != nil {
		for _, p := range rule.Reads {
			if p != "" && !strings.ContainsAny(p, `*?[]{}\`) && !strings.HasSuffix(p, "/") {
				return p
			}
		}
	}
	return FallbackArtifact
}

func sarifLocation(f policies.FileRef) *sarif.Location {
	return sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(artifactURI(f.Path))).
			WithRegion(sarif.NewRegion().WithStartLine(max(f.Line, 1))))
}

// artifactURI turns a repository path into a relative URI reference: each segment
// percent-encoded (spaces, newlines, '#', '%', '?', non-ASCII) and ':' encoded too,
// since "a:b.txt" would otherwise read as a URI with scheme "a".
func artifactURI(path string) string {
	path = strings.TrimLeft(strings.TrimPrefix(path, "./"), "/")
	if path == "" {
		path = FallbackArtifact
	}
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segments, "/")
}

// fingerprint identifies an alert across uploads: the rule, the file and the first
// line of the message, but not the line number, so an alert survives edits that
// move it.
func fingerprint(rule, path, message string) string {
	first, _, _ := strings.Cut(message, "\n")
	sum := sha256.Sum256([]byte(rule + "\x00" + path + "\x00" + first))
	return hex.EncodeToString(sum[:])
}

// ruleName is the SARIF rule name: an identifier in the spec's PascalCase style,
// catalog.owner → CatalogOwner.
func ruleName(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		switch {
		case r == '.' || r == '_' || r == '-' || r == ' ':
			upper = true
		case upper:
			b.WriteString(strings.ToUpper(string(r)))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "Rule"
	}
	return b.String()
}

// problemsInvocation reports configuration and custom-rule errors as tool
// configuration notifications: they are about goldenpath's setup, not a rule's
// finding, and must not become alerts.
func problemsInvocation(problems []policies.Problem) *sarif.Invocation {
	inv := sarif.NewInvocation().WithExecutionSuccessful(true)
	for _, p := range problems {
		n := sarif.NewNotification().
			WithLevel(sarif.LevelError).
			WithMessage(sarif.NewTextMessage(nonEmpty(strings.TrimSpace(clean(p.Message)), "configuration problem")))
		if p.Source != "" {
			n.WithLocations([]*sarif.Location{sarifLocation(policies.FileRef{Path: p.Source, Line: p.Line})})
		}
		inv.AddToolConfigurationNotification(n)
	}
	return inv
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
