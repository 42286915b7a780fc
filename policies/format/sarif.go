package format

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// SARIF constants GitHub code scanning relies on.
const (
	sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	toolName       = "goldenpath"
	toolInfoURI    = "https://github.com/goldenpath/goldenpath"
	// ruleDocsURI is where a bundled rule's source, with its description and
	// remediation, is published; a rule's helpUri is this plus its file.
	ruleDocsURI = toolInfoURI + "/blob/main/"
	// fingerprintKey names goldenpath's partial fingerprint; the version lets the
	// recipe change without colliding with alerts fingerprinted the old way.
	fingerprintKey = "goldenpath/v1"
)

// sarifWriter writes SARIF 2.1.0 for GitHub code scanning: every rule in
// tool.driver.rules, and a result for each rule that failed or errored.
//
// The log is written from its own small structs rather than a SARIF library's
// full object model, which emits -1 sentinels and empty arrays for every
// optional property. Every optional property is left out when empty, except
// run.results: an empty array there says "nothing found", which is what closes
// the alerts of an earlier upload.
//
// GitHub rejects a result without a location, and must never show an alert on
// a file that is not in the repository. A result is located at the files it
// names that exist; a finding about something missing (no README, no runbook)
// is anchored at a file that does exist: the component's catalog descriptor,
// else the root's, else a README, else the first file of the repository. With no
// file to anchor at, the finding becomes a tool notification instead of an alert.
type sarifWriter struct{ opts Options }

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool          `json:"tool"`
	AutomationDetails *sarifAutomation   `json:"automationDetails,omitempty"`
	Invocations       []*sarifInvocation `json:"invocations,omitempty"`
	Results           []sarifResult      `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules,omitempty"`
}

type sarifRule struct {
	ID                   string               `json:"id"`
	Name                 string               `json:"name"`
	ShortDescription     sarifMessage         `json:"shortDescription"`
	FullDescription      sarifMessage         `json:"fullDescription"`
	Help                 *sarifMessage        `json:"help,omitempty"`
	HelpURI              string               `json:"helpUri,omitempty"`
	DefaultConfiguration sarifReportingConfig `json:"defaultConfiguration"`
	Properties           map[string]any       `json:"properties,omitempty"`
}

type sarifReportingConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifInvocation struct {
	ExecutionSuccessful            bool                `json:"executionSuccessful"`
	ToolConfigurationNotifications []sarifNotification `json:"toolConfigurationNotifications,omitempty"`
	ToolExecutionNotifications     []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Descriptor *sarifRuleRef   `json:"descriptor,omitempty"`
}

type sarifRuleRef struct {
	ID string `json:"id"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               int                   `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           sarifRegion           `json:"region"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

var sarifLevels = map[policies.Severity]string{
	policies.SeverityError:   "error",
	policies.SeverityWarning: "warning",
	policies.SeverityInfo:    "note",
}

func sarifLevel(s policies.Severity) string {
	if l, ok := sarifLevels[s]; ok {
		return l
	}
	return "warning"
}

func (s sarifWriter) Write(w io.Writer, ev *policies.Evaluation) error {
	if ev == nil {
		return errNoEvaluation
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.log(ev)); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

func (s sarifWriter) log(ev *policies.Evaluation) *sarifLog {
	known := make(map[string]*policies.Rule, len(s.opts.Rules))
	for i := range s.opts.Rules {
		known[s.opts.Rules[i].ID] = &s.opts.Rules[i]
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: toolName, Version: s.opts.Version, InformationURI: toolInfoURI}},
		// The category GitHub keeps alerts apart by: everything up to the last "/".
		// It names the repository, so runs on several repositories uploaded to one
		// place never close each other's alerts, and it does not change between runs.
		AutomationDetails: &sarifAutomation{ID: toolName + "/" + oneLine(ev.Repository) + "/"},
		Results:           []sarifResult{},
	}
	index := map[string]int{}
	for _, r := range ev.Results {
		if _, ok := index[r.Rule]; !ok {
			index[r.Rule] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(r, known[r.Rule]))
		}
	}
	anchors := newAnchors(s.opts.Paths)
	inv := &sarifInvocation{ExecutionSuccessful: true}
	for _, sec := range sections(ev) {
		for _, r := range sec.results {
			if r.Status != policies.StatusFail && r.Status != policies.StatusError {
				continue
			}
			message := nonEmpty(strings.TrimSpace(clean(r.Message)), nonEmpty(oneLine(r.Title), r.Rule))
			var props map[string]any
			if c := sec.component; c != nil {
				message = "component " + componentName(c) + ": " + message
				props = map[string]any{"component": oneLine(c.Name), "componentPath": pathText(c.Path)}
			}
			files := anchors.existing(r.Files)
			if len(files) == 0 {
				anchor, ok := anchors.anchor(sec.component)
				if !ok {
					inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
						Level:      sarifLevel(r.Severity),
						Message:    sarifMessage{Text: message},
						Descriptor: &sarifRuleRef{ID: r.Rule},
					})
					continue
				}
				files = []policies.FileRef{{Path: anchor}}
			}
			res := sarifResult{
				RuleID:              r.Rule,
				RuleIndex:           index[r.Rule],
				Level:               sarifLevel(r.Severity),
				Message:             sarifMessage{Text: message},
				Locations:           []sarifLocation{sarifLocationAt(files[0])},
				PartialFingerprints: map[string]string{fingerprintKey: fingerprint(r.Rule, files[0].Path, message)},
				Properties:          props,
			}
			for i, f := range files[1:] {
				l := sarifLocationAt(f)
				l.ID = i + 1
				res.RelatedLocations = append(res.RelatedLocations, l)
			}
			run.Results = append(run.Results, res)
		}
	}
	for _, p := range ev.Problems {
		// Configuration and custom-rule problems are about goldenpath's setup,
		// not a finding in the repository: notifications, never alerts.
		n := sarifNotification{Level: "error", Message: sarifMessage{Text: nonEmpty(strings.TrimSpace(clean(p.Message)), "configuration problem")}}
		if p.Source != "" && anchors.exists(p.Source) {
			n.Locations = []sarifLocation{sarifLocationAt(policies.FileRef{Path: p.Source, Line: p.Line})}
		}
		inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, n)
	}
	if ev.Partial != "" {
		// The analysis saw part of the repository: a warning about the run itself.
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "warning", Message: sarifMessage{Text: "partial evaluation: " + oneLine(ev.Partial)},
		})
	}
	if len(inv.ToolConfigurationNotifications) > 0 || len(inv.ToolExecutionNotifications) > 0 {
		run.Invocations = []*sarifInvocation{inv}
	}
	return &sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
}

func sarifRuleFor(r policies.Result, rule *policies.Rule) sarifRule {
	title := nonEmpty(oneLine(r.Title), oneLine(r.Rule))
	description := title
	if rule != nil && strings.TrimSpace(rule.Description) != "" {
		description = clean(strings.TrimSpace(rule.Description))
	}
	d := sarifRule{
		ID:                   r.Rule,
		Name:                 ruleName(r.Rule),
		ShortDescription:     sarifMessage{Text: title},
		FullDescription:      sarifMessage{Text: description},
		DefaultConfiguration: sarifReportingConfig{Level: sarifLevel(r.Severity)},
		Properties: map[string]any{
			"tags":             []string{r.Aspect},
			"precision":        "very-high", // rules check files, they do not guess
			"goldenpath/level": r.Level,
		},
	}
	if remediation := strings.TrimSpace(clean(r.Remediation)); remediation != "" {
		d.Help = &sarifMessage{Text: remediation, Markdown: remediation}
	}
	// A bundled rule's file is its documentation; a custom rule lives in the
	// organisation's config repository, whose address goldenpath does not know.
	if rule != nil && !rule.Custom && strings.HasPrefix(rule.File, "policies/rules/") {
		d.HelpURI = ruleDocsURI + rule.File
	}
	return d
}

// anchors knows which files the repository has, when the caller said so.
type anchors struct {
	known bool
	paths map[string]bool
	first string
}

func newAnchors(paths []string) *anchors {
	a := &anchors{known: paths != nil, paths: make(map[string]bool, len(paths))}
	for _, p := range paths {
		a.paths[p] = true
		if a.first == "" || p < a.first {
			a.first = p
		}
	}
	return a
}

func (a *anchors) exists(p string) bool {
	return !a.known || a.paths[strings.TrimPrefix(p, "./")]
}

// existing keeps the files that are in the repository (all of them when the
// repository's files are not known: the engine names files it found).
func (a *anchors) existing(files []policies.FileRef) []policies.FileRef {
	var out []policies.FileRef
	for _, f := range files {
		if strings.Trim(f.Path, "./") != "" && a.exists(f.Path) {
			out = append(out, f)
		}
	}
	return out
}

// anchor picks the file a finding without one is shown at: the component's
// catalog descriptor, the root's, a README (component's, then root's), else the
// repository's first file. It finds none when the repository's files are not
// known or there are none.
func (a *anchors) anchor(c *policies.Component) (string, bool) {
	if !a.known {
		return "", false
	}
	dir := ""
	if c != nil && c.Path != policies.RootPath {
		dir = c.Path
	}
	var candidates []string
	for _, d := range slices.Compact([]string{dir, ""}) {
		for _, name := range []string{"catalog-info.yaml", "catalog-info.yml"} {
			candidates = append(candidates, path.Join(d, name))
		}
	}
	for _, d := range slices.Compact([]string{dir, ""}) {
		for _, name := range []string{"README.md", "README", "readme.md", "README.rst", "README.txt"} {
			candidates = append(candidates, path.Join(d, name))
		}
	}
	for _, p := range candidates {
		if a.paths[p] {
			return p, true
		}
	}
	return a.first, a.first != ""
}

func sarifLocationAt(f policies.FileRef) sarifLocation {
	return sarifLocation{PhysicalLocation: sarifPhysicalLocation{
		ArtifactLocation: sarifArtifactLocation{URI: artifactURI(f.Path)},
		Region:           sarifRegion{StartLine: max(f.Line, 1)},
	}}
}

// artifactURI turns a repository path into a relative URI reference: each segment
// percent-encoded (spaces, newlines, '#', '%', '?', non-ASCII) and ':' encoded too,
// since "a:b.txt" would otherwise read as a URI with scheme "a".
func artifactURI(path string) string {
	path = strings.TrimLeft(strings.TrimPrefix(path, "./"), "/")
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

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
