// Package evaluation judges a repository under an organisation's configuration the
// same way wherever it runs: the server's jobs and `goldenpath check` both call it.
// It holds the compiled engines (one per set of custom rules), applies a
// repository's own override and turns configuration errors into problems with
// their line. It knows no GitHub: callers bring the snapshot and the files.
package evaluation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
)

// OverridePath is a repository's own configuration file.
const OverridePath = ".github/golden-path.yaml"

// maxCustomEngines bounds the engines compiled for custom rule sets kept at once:
// an organisation's custom rules rarely change, a config preview compiles a
// proposal once.
const maxCustomEngines = 64

// Service evaluates repositories. It is safe for concurrent use.
type Service struct {
	limits policies.Limits
	now    func() time.Time

	mu sync.Mutex
	// bundled is the engine of the bundled rules alone: compiled once per process,
	// never evicted.
	bundled *policies.Engine
	custom  map[string]*policies.Engine // by digest of the custom modules
}

// New returns a service whose engines evaluate within limits (zero: the
// defaults); now dates exemptions and enforce_from (nil: the clock). Engines are
// compiled on first use.
func New(limits policies.Limits, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{limits: limits, now: now, custom: map[string]*policies.Engine{}}
}

// Engine returns the compiled engine for a set of custom modules (none: the
// bundled rules alone), compiling each set once. It fails only when the bundled
// rules do not compile; a custom module that does not is a problem of the engine.
func (s *Service) Engine(ctx context.Context, custom map[string]string) (*policies.Engine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(custom) == 0 && s.bundled != nil {
		return s.bundled, nil
	}
	key := modulesDigest(custom)
	if eng, ok := s.custom[key]; ok {
		return eng, nil
	}
	eng, err := policies.New(ctx, policies.Options{Custom: custom, Limits: s.limits})
	if err != nil {
		return nil, err
	}
	if len(custom) == 0 {
		s.bundled = eng
		return eng, nil
	}
	if len(s.custom) >= maxCustomEngines {
		clear(s.custom) // crude, and enough: see maxCustomEngines
	}
	s.custom[key] = eng
	return eng, nil
}

func modulesDigest(m map[string]string) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00%s", n, len(m[n]), m[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Org is an organisation's configuration as evaluations apply it: its parsed
// golden-path.yaml, its custom rules, and the problems found loading them (they
// are shown with every evaluation).
type Org struct {
	Config   *config.Org
	Custom   map[string]string
	Problems []policies.Problem
}

// Override is a repository's own configuration: Config is nil when the file is
// absent or set aside, Problem says why it was set aside.
type Override struct {
	Config  *config.RepoOverride
	Problem *policies.Problem
}

// ParseOverride parses a repository's own .github/golden-path.yaml (data, when
// found) and checks it against the org's configuration. A broken file is set
// aside whole and becomes a problem of the repository's evaluations.
func ParseOverride(data []byte, found bool, org *config.Org) Override {
	if !found {
		return Override{}
	}
	o, err := config.ParseRepoOverride(OverridePath, data)
	if err == nil {
		err = org.CheckOverride(o)
	}
	if err != nil {
		p := Problem(OverridePath, err)
		return Override{Problem: &p}
	}
	return Override{Config: o}
}

// Problem turns a configuration error into a problem, with its line when the
// error knows it.
func Problem(source string, err error) policies.Problem {
	p := policies.Problem{Source: source, Message: err.Error()}
	var ce *config.Error
	if errors.As(err, &ce) {
		p.Line, p.Message = ce.Line, ce.Message
	}
	return p
}

// UnknownRuleID is the first rule ID that an org file (data, at path) names and
// no rule of eng has, as a problem with its line; nil when every ID is known.
// Which IDs exist depends on the custom rules, so parsing the file cannot tell.
func UnknownRuleID(eng *policies.Engine, path string, data []byte) *policies.Problem {
	known := map[string]bool{}
	for _, r := range eng.Rules() {
		known[r.ID] = true
	}
	if err := config.CheckRuleIDs(path, data, func(id string) bool { return known[id] }); err != nil {
		p := Problem(path, err)
		return &p
	}
	return nil
}

// Evaluate judges a snapshot of repo under org and the repository's override;
// the org's and the override's problems are added to the evaluation's. The engine
// that judged it is returned too: its digest tells evaluations under other rules
// apart.
func (s *Service) Evaluate(ctx context.Context, snap policies.Snapshot, repo policies.Repository, org *Org, ov Override) (*policies.Evaluation, *policies.Engine, error) {
	eng, err := s.Engine(ctx, org.Custom)
	if err != nil {
		return nil, nil, err
	}
	ev, err := eng.Evaluate(ctx, snap, policies.Request{
		Repository: repo, Org: org.Config, Override: ov.Config, Today: s.now().UTC(),
	})
	if err != nil {
		return nil, nil, err
	}
	ev.Problems = append(ev.Problems, org.Problems...)
	if ov.Problem != nil {
		ev.Problems = append(ev.Problems, *ov.Problem)
	}
	return ev, eng, nil
}
