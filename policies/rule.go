package policies

import (
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Package prefixes: bundled rules live under the first, custom rules under the second.
// Custom modules outside theirs are rejected so they cannot add to or shadow a
// bundled rule (Rego packages are open).
const (
	bundledPrefix = "goldenpath.rules."
	customPrefix  = "goldenpath.custom."
	customIDStart = "custom."
)

// Aspects of the CNCF Platform Engineering Maturity Model, in the model's order.
var Aspects = []string{"investment", "adoption", "interfaces", "operations", "measurement"}

// LevelNames are the model's levels; index 0 is "not yet provisional".
var LevelNames = []string{"none", "provisional", "operationalized", "scalable", "optimizing"}

// Rule scopes: a repository rule is judged once per repository, a component rule
// once per component.
const (
	ScopeRepository = "repository"
	ScopeComponent  = "component"
)

// Rule is one golden-path rule and its metadata.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Aspect      string   `json:"aspect"`
	Level       int      `json:"level"`
	Severity    Severity `json:"severity"`
	AppliesTo   []string `json:"applies_to"`
	Scope       string   `json:"scope"`
	Reads       []string `json:"reads"`
	Remediation string   `json:"remediation"`
	Custom      bool     `json:"custom"`
	File        string   `json:"file"`

	pkg string // Rego package path, e.g. goldenpath.rules.catalog.owner
}

// AppliesToType reports whether the rule applies to a component type.
func (r *Rule) AppliesToType(componentType string) bool {
	return len(r.AppliesTo) == 0 || slices.Contains(r.AppliesTo, componentType)
}

// ruleFromAnnotations builds a rule from a package's METADATA block.
func ruleFromAnnotations(pkg string, a *ast.Annotations, file string) (*Rule, error) {
	r := &Rule{pkg: pkg, File: file}
	switch {
	case strings.HasPrefix(pkg, bundledPrefix):
		r.ID = strings.TrimPrefix(pkg, bundledPrefix)
	case strings.HasPrefix(pkg, customPrefix):
		r.ID = customIDStart + strings.TrimPrefix(pkg, customPrefix)
		r.Custom = true
	default:
		return nil, fmt.Errorf("package %s is outside %s*", pkg, customPrefix)
	}
	if a == nil {
		return nil, fmt.Errorf("rule %s has no package-scope # METADATA block", r.ID)
	}
	r.Title = a.Title
	if r.Title == "" {
		r.Title = r.ID
	}
	r.Description = a.Description
	c := a.Custom
	var ok bool
	if r.Aspect, ok = c["aspect"].(string); !ok || !slices.Contains(Aspects, r.Aspect) {
		return nil, fmt.Errorf("rule %s: custom.aspect must be one of %s", r.ID, strings.Join(Aspects, ", "))
	}
	level, ok := asInt(c["level"])
	if !ok || level < 1 || level > 4 {
		return nil, fmt.Errorf("rule %s: custom.level must be 1 to 4", r.ID)
	}
	r.Level = level
	sev, _ := c["severity"].(string)
	r.Severity = Severity(sev)
	if !validSeverity(r.Severity) {
		return nil, fmt.Errorf("rule %s: custom.severity must be error, warning or info", r.ID)
	}
	var err error
	if r.AppliesTo, err = stringList(c["applies_to"]); err != nil {
		return nil, fmt.Errorf("rule %s: custom.applies_to: %w", r.ID, err)
	}
	switch scope := c["scope"].(type) {
	case nil:
		if !r.Custom {
			return nil, fmt.Errorf("rule %s: custom.scope must be set (repository or component)", r.ID)
		}
		// Written before components existed: judged once, as it always was.
		r.Scope = ScopeRepository
	case string:
		if scope != ScopeRepository && scope != ScopeComponent {
			return nil, fmt.Errorf("rule %s: custom.scope must be repository or component, got %q", r.ID, scope)
		}
		r.Scope = scope
	default:
		return nil, fmt.Errorf("rule %s: custom.scope must be repository or component", r.ID)
	}
	if r.Reads, err = stringList(c["reads"]); err != nil {
		return nil, fmt.Errorf("rule %s: custom.reads: %w", r.ID, err)
	}
	for _, g := range r.Reads {
		if err := validGlob(g); err != nil {
			return nil, fmt.Errorf("rule %s: custom.reads: %w", r.ID, err)
		}
	}
	r.Remediation, _ = c["remediation"].(string)
	return r, nil
}

func validSeverity(s Severity) bool {
	return s == SeverityError || s == SeverityWarning || s == SeverityInfo
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case uint64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

func stringList(v any) ([]string, error) {
	if v == nil {
		return []string{}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be a list of strings")
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("must be a list of strings")
		}
		out = append(out, s)
	}
	return out, nil
}
