package policies

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goldenpath/goldenpath/config"
)

// Request says which repository is evaluated, under which configuration.
type Request struct {
	Repository Repository
	// Org is the organisation's golden-path.yaml; nil means the defaults.
	Org *config.Org
	// Override is the repository's own .github/golden-path.yaml from its default
	// branch (never a pull request's head); nil when it has none.
	Override *config.RepoOverride
	// Today decides exemption expiry and enforce_from dates; zero means now (UTC).
	// Passing it keeps an evaluation a function of its inputs.
	Today time.Time
}

// decision is what the configuration says about one rule before it runs.
type decision struct {
	skip     string // non-empty: skip the rule with this reason
	exempt   bool
	severity Severity
	expired  *ExpiredExemption
}

// settings is a request's configuration resolved once per evaluation.
type settings struct {
	org        *config.Org
	exemptions []config.Exemption
	today      time.Time
	repo       string
}

func newSettings(req Request) settings {
	s := settings{org: req.Org, today: req.Today, repo: req.Repository.Name}
	if s.org == nil {
		s.org = config.DefaultOrg()
	}
	if s.today.IsZero() {
		s.today = time.Now().UTC()
	}
	s.exemptions = s.org.ExemptionsFor(req.Override)
	return s
}

// decide says what the configuration does with a rule judged for components of
// the given types: it applies when any of them is in applies_to.
func (s settings) decide(r *Rule, types ...string) decision {
	org, today := s.org, s.today
	d := decision{severity: Severity(org.SeverityFor(r.ID, string(r.Severity)))}
	if d.severity == SeverityError && !org.Enforced(r.ID, today) {
		// Before enforce_from a rule warns instead of blocking.
		d.severity = SeverityWarning
	}
	if org.Disabled(r.ID) {
		d.skip = "disabled in the organisation's golden-path.yaml"
		return d
	}
	if !slices.ContainsFunc(types, r.AppliesToType) {
		d.skip = fmt.Sprintf("does not apply to a %s (applies to: %s)", strings.Join(types, ", "), strings.Join(r.AppliesTo, ", "))
		return d
	}
	ex, expired := config.MatchExemption(s.exemptions, s.repo, r.ID, today)
	switch {
	case ex != nil && expired:
		d.expired = &ExpiredExemption{Rule: r.ID, Reason: ex.Reason, Expires: ex.Expires.String()}
	case ex != nil:
		d.skip, d.exempt = "exempted: "+ex.Reason, true
		if !ex.Expires.IsZero() {
			d.skip += " (until " + ex.Expires.String() + ")"
		}
	}
	return d
}
