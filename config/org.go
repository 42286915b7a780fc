package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	yaml "go.yaml.in/yaml/v3"
)

// Enforcement modes.
const (
	EnforcementAdvisory = "advisory" // failures give a neutral check
	EnforcementBlocking = "blocking" // error-severity failures fail the check
)

// Rule severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// DefaultThreshold is the share of repositories that must pass for an aspect
// level to count when the org file sets none.
const DefaultThreshold = 0.8

// Org is the platform team's golden-path.yaml in the org's .github
// repository. The JSON form (snake_case, empty parts omitted) is the
// canonical one that Digest hashes.
type Org struct {
	Enforcement               string      `yaml:"enforcement" json:"enforcement"`
	Threshold                 float64     `yaml:"threshold" json:"threshold"`
	Rules                     Rules       `yaml:"rules" json:"rules"`
	Exemptions                []Exemption `yaml:"exemptions" json:"exemptions,omitempty"`
	Report                    Report      `yaml:"report" json:"report"`
	Policies                  Policies    `yaml:"policies" json:"policies"`
	IgnoreRepositories        []string    `yaml:"ignore_repositories" json:"ignore_repositories,omitempty"`
	AllowRepositoryExemptions bool        `yaml:"allow_repository_exemptions" json:"allow_repository_exemptions,omitempty"`
	Catalog                   Catalog     `yaml:"catalog" json:"catalog"`
	Fixes                     Fixes       `yaml:"fixes" json:"fixes,omitzero"`
	// BuildingBlocks name the org's own reusable workflows and infrastructure
	// modules, as the prefix their references start with: "acme/ci-workflows"
	// matches `uses: acme/ci-workflows/.github/workflows/go.yml@v1`,
	// "github.com/acme/tf-modules" a Terraform source in that repository.
	BuildingBlocks []string `yaml:"building_blocks" json:"building_blocks,omitempty"`
}

// Catalog says where repositories keep their Backstage catalog files.
type Catalog struct {
	// Discover are doublestar globs over repository paths; empty means
	// DefaultCatalogDiscover.
	Discover []string `yaml:"discover" json:"discover,omitempty"`
}

// DefaultCatalogDiscover is where Backstage's GitHub discovery and the
// common .backstage/ convention put catalog files.
var DefaultCatalogDiscover = []string{"catalog-info.yaml", "catalog-info.yml", ".backstage/*.yaml"}

// CatalogDiscover returns catalog.discover, or the default when it is unset.
func (o *Org) CatalogDiscover() []string {
	if len(o.Catalog.Discover) == 0 {
		return slices.Clone(DefaultCatalogDiscover)
	}
	return slices.Clone(o.Catalog.Discover)
}

// Fixes configures self-service fixes: the generated files of `goldenpath fix`
// and the "Fix it for me" pull requests.
type Fixes struct {
	// Enabled turns on fix pull requests (the app then needs contents and pull
	// requests write).
	Enabled bool `yaml:"enabled" json:"enabled,omitempty"`
	// Rules limits fixes to these rule IDs; empty means every rule that has a fix.
	Rules []string `yaml:"rules" json:"rules,omitempty"`
	// Owner is the catalog owner (group:team, user:name or a team name) given to
	// generated files of a repository whose owner nothing else names.
	Owner string `yaml:"owner" json:"owner,omitempty"`
	// Templates replaces bundled templates: generated path -> path of a Go
	// text/template in the config repository.
	Templates map[string]string `yaml:"templates" json:"templates,omitempty"`
}

// Rules tunes individual rules by ID.
type Rules struct {
	Disable  []string          `yaml:"disable" json:"disable,omitempty"`
	Severity map[string]string `yaml:"severity" json:"severity,omitempty"`
	// EnforceFrom phases a rule in: before its date, the rule's failures are
	// advisory even in blocking mode.
	EnforceFrom map[string]Date `yaml:"enforce_from" json:"enforce_from,omitempty"`
}

// Exemption excuses repositories from rules, with a reason the report shows.
type Exemption struct {
	// Repositories are doublestar globs over repository names without the
	// owner. Empty only in a repository's own override, where the exemption
	// applies to that repository; it then matches any name.
	Repositories []string `yaml:"repositories" json:"repositories,omitempty"`
	Rules        []string `yaml:"rules" json:"rules"`
	Reason       string   `yaml:"reason" json:"reason"`
	// Expires is the last day the exemption applies; zero means never.
	Expires Date `yaml:"expires" json:"expires,omitzero"`
}

// Report says where the adoption report issue lives.
type Report struct {
	// Repository is empty unless set; see Org.ReportRepository.
	Repository string `yaml:"repository" json:"repository,omitempty"`
}

// Policies locates custom Rego in the config repository.
type Policies struct {
	Path string `yaml:"path" json:"path,omitempty"`
}

// RepoOverride is a repository's own .github/golden-path.yaml, read from its
// default branch.
type RepoOverride struct {
	ComponentType string      `yaml:"component_type" json:"component_type,omitempty"`
	Owner         string      `yaml:"owner" json:"owner,omitempty"`
	Exemptions    []Exemption `yaml:"exemptions" json:"exemptions,omitempty"`

	// Where keys sit, for errors found later (CheckOverride, an unknown
	// component_type).
	file              string
	exemptionsLine    int
	componentTypeLine int
}

// ComponentTypeAt is the file and line of component_type, for reporting a type
// no rule knows; the line is 0 when unknown.
func (r *RepoOverride) ComponentTypeAt() (file string, line int) {
	return r.file, r.componentTypeLine
}

// DefaultOrg is the configuration of an org without a golden-path.yaml.
func DefaultOrg() *Org {
	return &Org{Enforcement: EnforcementAdvisory, Threshold: DefaultThreshold}
}

// ParseOrg parses an org golden-path.yaml strictly. name is the file name
// shown in errors; every error is an *Error. An empty file gives DefaultOrg.
func ParseOrg(name string, data []byte) (*Org, error) {
	o := DefaultOrg()
	doc, err := decodeStrict(name, data, o)
	if err != nil {
		return nil, err
	}
	v := &validator{file: name, doc: doc}
	if err := v.org(o); err != nil {
		return nil, err
	}
	return o, nil
}

// ParseRepoOverride parses a repository's .github/golden-path.yaml strictly.
// Whether its exemptions are allowed depends on the org file: see
// Org.CheckOverride.
func ParseRepoOverride(name string, data []byte) (*RepoOverride, error) {
	r := &RepoOverride{}
	doc, err := decodeStrict(name, data, r)
	if err != nil {
		return nil, err
	}
	v := &validator{file: name, doc: doc}
	for i, e := range r.Exemptions {
		if _, found := lookup(doc, "exemptions", i, "repositories"); found {
			return nil, v.errorf(at("exemptions", i, "repositories"),
				"not allowed in a repository's own file: its exemptions apply to that repository")
		}
		if err := v.exemption(at("exemptions", i), e, false); err != nil {
			return nil, err
		}
	}
	r.file = name
	r.componentTypeLine = keyLine(doc, "component_type")
	if len(r.Exemptions) > 0 {
		r.exemptionsLine = keyLine(doc, "exemptions")
	}
	return r, nil
}

// CheckOverride reports an override that adds exemptions the org file does
// not allow, pointing at the exemptions key.
func (o *Org) CheckOverride(r *RepoOverride) error {
	if r == nil || len(r.Exemptions) == 0 || o.AllowRepositoryExemptions {
		return nil
	}
	return &Error{
		File:    r.file,
		Line:    r.exemptionsLine,
		Message: "exemptions are not allowed here: the org configuration does not set allow_repository_exemptions",
	}
}

// ExemptionsFor returns the exemptions that apply to the repository the
// override belongs to: the org's, then the override's own when the org
// allows them. The result is a new slice.
func (o *Org) ExemptionsFor(r *RepoOverride) []Exemption {
	out := slices.Clone(o.Exemptions)
	if r != nil && o.AllowRepositoryExemptions {
		out = append(out, r.Exemptions...)
	}
	return out
}

// Exemption returns the first of the org's exemptions for rule that matches
// repo and has not expired on today. If only expired ones match, the first of
// those is returned with expired=true, so the report can flag it. repo may be
// "owner/name"; only the name is matched.
func (o *Org) Exemption(repo, rule string, today time.Time) (ex *Exemption, expired bool) {
	return MatchExemption(o.Exemptions, repo, rule, today)
}

// MatchExemption is Org.Exemption over any list, such as the result of
// ExemptionsFor. The returned pointer points into list.
func MatchExemption(list []Exemption, repo, rule string, today time.Time) (ex *Exemption, expired bool) {
	name := repoName(repo)
	var stale *Exemption
	for i := range list {
		e := &list[i]
		if !e.matches(name, rule) {
			continue
		}
		if !e.Expired(today) {
			return e, false
		}
		if stale == nil {
			stale = e
		}
	}
	return stale, stale != nil
}

func (e *Exemption) matches(name, rule string) bool {
	if !slices.Contains(e.Rules, rule) {
		return false
	}
	return len(e.Repositories) == 0 || matchAny(e.Repositories, name)
}

// Expired reports whether today is after the exemption's last day.
func (e *Exemption) Expired(today time.Time) bool {
	return !e.Expires.IsZero() && DateOf(today).After(e.Expires.Time)
}

// Ignored reports whether repo (a name, or "owner/name") matches
// ignore_repositories.
func (o *Org) Ignored(repo string) bool {
	return matchAny(o.IgnoreRepositories, repoName(repo))
}

// Disabled reports whether rule is listed in rules.disable.
func (o *Org) Disabled(rule string) bool {
	return slices.Contains(o.Rules.Disable, rule)
}

// SeverityFor returns the severity the org sets for rule, or dflt (the
// rule's own) when it sets none.
func (o *Org) SeverityFor(rule, dflt string) string {
	if s, ok := o.Rules.Severity[rule]; ok {
		return s
	}
	return dflt
}

// Enforced reports whether rule's failures count as enforced on today:
// false before its rules.enforce_from date, true on and after it, and true
// for a rule without one.
func (o *Org) Enforced(rule string, today time.Time) bool {
	from, ok := o.Rules.EnforceFrom[rule]
	return !ok || from.IsZero() || !DateOf(today).Before(from.Time)
}

// ReportRepository is where the adoption report lives: report.repository,
// or configRepo (the repository holding golden-path.yaml) when unset.
func (o *Org) ReportRepository(configRepo string) string {
	if o.Report.Repository != "" {
		return o.Report.Repository
	}
	return configRepo
}

// Digest is a hex SHA-256 of the canonical JSON form, stable across parses
// of equivalent files (key order, comments and empty lists do not matter), so
// a change of configuration can be detected by comparing digests.
func (o *Org) Digest() string {
	b, err := json.Marshal(o)
	if err != nil {
		// Only a NaN or infinite threshold could fail, and validation
		// rejects those; don't let a hand-built Org panic here.
		b = fmt.Appendf(nil, "%#v", *o)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func repoName(repo string) string {
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		return repo[i+1:]
	}
	return repo
}

// matchAny reports whether name matches one of the globs, ignoring case as
// GitHub does when it compares repository names ("Legacy-API" is "legacy-api").
// Patterns are validated when parsed, so a match error can only come from a
// hand-built Org and counts as no match.
func matchAny(globs []string, name string) bool {
	name = strings.ToLower(name)
	for _, g := range globs {
		if ok, _ := doublestar.Match(strings.ToLower(g), name); ok {
			return true
		}
	}
	return false
}

// CheckRuleIDs reports the first rule ID of an org file that known does not know,
// with its line: a misspelt ID would otherwise disable, re-rate or exempt nothing,
// silently. Which IDs exist depends on the custom rules, so ParseOrg cannot tell.
func CheckRuleIDs(name string, data []byte, known func(id string) bool) error {
	o := &Org{}
	doc, err := decodeStrict(name, data, o)
	if err != nil {
		return err
	}
	v := &validator{file: name, doc: doc}
	type use struct {
		path []any
		id   string
	}
	var uses []use
	for i, id := range o.Rules.Disable {
		uses = append(uses, use{at("rules", "disable", i), id})
	}
	for _, id := range sortedKeys(o.Rules.Severity) {
		uses = append(uses, use{at("rules", "severity", id), id})
	}
	for _, id := range sortedKeys(o.Rules.EnforceFrom) {
		uses = append(uses, use{at("rules", "enforce_from", id), id})
	}
	for i, e := range o.Exemptions {
		for j, id := range e.Rules {
			uses = append(uses, use{at("exemptions", i, "rules", j), id})
		}
	}
	for i, id := range o.Fixes.Rules {
		uses = append(uses, use{at("fixes", "rules", i), id})
	}
	for _, u := range uses {
		if !known(u.id) {
			return v.errorf(u.path, "no rule has the ID %q", u.id)
		}
	}
	return nil
}

// validator checks decoded values and points errors at their place in the
// document.
type validator struct {
	file string
	doc  *yaml.Node
}

func at(path ...any) []any { return path }

// errorf builds an *Error located at path (or at its deepest existing
// parent, for a missing key) whose message starts with the path.
func (v *validator) errorf(path []any, format string, args ...any) *Error {
	e := &Error{File: v.file, Message: pathString(path) + ": " + fmt.Sprintf(format, args...)}
	if n, _ := lookup(v.doc, path...); n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// repoNamePattern is what GitHub allows in a repository name.
var repoNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func (v *validator) org(o *Org) error {
	if o.Enforcement != EnforcementAdvisory && o.Enforcement != EnforcementBlocking {
		return v.errorf(at("enforcement"), "must be advisory or blocking, got %q", o.Enforcement)
	}
	// Written so that NaN fails too.
	if !(o.Threshold > 0 && o.Threshold <= 1) {
		return v.errorf(at("threshold"), "must be greater than 0 and at most 1, got %v", o.Threshold)
	}
	for i, r := range o.Rules.Disable {
		if strings.TrimSpace(r) == "" {
			return v.errorf(at("rules", "disable", i), "rule ID must not be empty")
		}
	}
	for _, id := range sortedKeys(o.Rules.Severity) {
		if strings.TrimSpace(id) == "" {
			return v.errorf(at("rules", "severity"), "rule ID must not be empty")
		}
		switch s := o.Rules.Severity[id]; s {
		case SeverityError, SeverityWarning, SeverityInfo:
		default:
			return v.errorf(at("rules", "severity", id), "must be error, warning or info, got %q", s)
		}
	}
	for _, id := range sortedKeys(o.Rules.EnforceFrom) {
		if strings.TrimSpace(id) == "" {
			return v.errorf(at("rules", "enforce_from"), "rule ID must not be empty")
		}
		if o.Rules.EnforceFrom[id].IsZero() {
			return v.errorf(at("rules", "enforce_from", id), "expected a date (YYYY-MM-DD)")
		}
	}
	for i, e := range o.Exemptions {
		if err := v.exemption(at("exemptions", i), e, true); err != nil {
			return err
		}
	}
	if r := o.Report.Repository; r != "" && (!repoNamePattern.MatchString(r) || r == "." || r == "..") {
		return v.errorf(at("report", "repository"), "must be a repository name in this organisation, got %q", r)
	}
	if p := o.Policies.Path; p != "" && !inRepository(p) {
		return v.errorf(at("policies", "path"), "must be a relative path inside the config repository, got %q", p)
	}
	if err := v.fixes(o.Fixes); err != nil {
		return err
	}
	for i, g := range o.IgnoreRepositories {
		if err := v.glob(at("ignore_repositories", i), g); err != nil {
			return err
		}
	}
	for i, b := range o.BuildingBlocks {
		if !blockPattern.MatchString(b) {
			return v.errorf(at("building_blocks", i), "must be a reference prefix such as acme/ci-workflows or github.com/acme/tf-modules (owner/name, no scheme, version or spaces), got %q", b)
		}
		if j := slices.Index(o.BuildingBlocks[:i], b); j >= 0 {
			return v.errorf(at("building_blocks", i), "%q is listed twice (first as building_blocks[%d])", b, j)
		}
	}
	for i, g := range o.Catalog.Discover {
		if clean := path.Clean(g); g == "" || path.IsAbs(g) || clean == ".." || strings.HasPrefix(clean, "../") || !doublestar.ValidatePattern(g) {
			return v.errorf(at("catalog", "discover", i), "must be a glob of paths inside the repository, got %q", g)
		}
	}
	return nil
}

// inRepository reports whether p is a relative path that stays inside a repository.
func inRepository(p string) bool {
	clean := path.Clean(p)
	return !path.IsAbs(p) && clean != ".." && !strings.HasPrefix(clean, "../") && !strings.Contains(p, `\`)
}

// blockPattern is a building-block prefix: at least owner/name, path segments
// of reference characters, no scheme ("https://"), version ("@v1", "?ref=")
// or trailing slash.
var blockPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_.-]+)+$`)

// ownerPattern is a Backstage owner reference: [kind:][namespace/]name.
var ownerPattern = regexp.MustCompile(`^([A-Za-z]+:)?([a-z0-9-]+/)?[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func (v *validator) fixes(f Fixes) error {
	for i, r := range f.Rules {
		if strings.TrimSpace(r) == "" {
			return v.errorf(at("fixes", "rules", i), "rule ID must not be empty")
		}
	}
	if f.Owner != "" && !ownerPattern.MatchString(f.Owner) {
		return v.errorf(at("fixes", "owner"), "must be a catalog owner such as group:payments-team, got %q", f.Owner)
	}
	for _, target := range sortedKeys(f.Templates) {
		if src := f.Templates[target]; src == "" || !inRepository(src) {
			return v.errorf(at("fixes", "templates", target), "must be a relative path inside the config repository, got %q", src)
		}
	}
	return nil
}

// exemption checks one exemption; org exemptions must name repositories,
// override ones apply to their own repository.
func (v *validator) exemption(p []any, e Exemption, org bool) error {
	sub := func(k ...any) []any { return append(slices.Clone(p), k...) }
	if org && len(e.Repositories) == 0 {
		return v.errorf(sub("repositories"), "required: list the repository globs this exemption covers")
	}
	for i, g := range e.Repositories {
		if err := v.glob(sub("repositories", i), g); err != nil {
			return err
		}
	}
	if len(e.Rules) == 0 {
		return v.errorf(sub("rules"), "required: list at least one rule ID")
	}
	for i, r := range e.Rules {
		if strings.TrimSpace(r) == "" {
			return v.errorf(sub("rules", i), "rule ID must not be empty")
		}
	}
	if strings.TrimSpace(e.Reason) == "" {
		return v.errorf(sub("reason"), "required: say why the exemption exists")
	}
	return nil
}

func (v *validator) glob(p []any, g string) error {
	switch {
	case g == "":
		return v.errorf(p, "pattern must not be empty")
	case strings.Contains(g, "/"):
		return v.errorf(p, "pattern matches repository names without the owner, got %q", g)
	case !doublestar.ValidatePattern(g):
		return v.errorf(p, "invalid glob pattern %q", g)
	}
	return nil
}

// keyLine is the line of a top-level key, or 0.
func keyLine(doc *yaml.Node, key string) int {
	root, _ := lookup(doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i].Line
		}
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
