package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/store"
)

// Settings are what the jobs need to know about the deployment.
type Settings struct {
	CheckName  string // name of the check run, "Golden Path" by default
	ConfigRepo string // the org repository holding golden-path.yaml
	ConfigPath string
	Limits     policies.Limits
	// RequestBudget bounds the GitHub requests of one repository's evaluation in
	// a sweep (0: none); past it the evaluation is partial.
	RequestBudget int
	PublicURL     string // base of links to the JSON API; optional
	WebURL        string // GitHub's web address, for links to issues
}

// reportURL links to an organisation's adoption report issue, "" before the first
// report or when its record cannot be read (a link is not worth failing a check).
func (e *Evaluator) reportURL(ctx context.Context, owner string) string {
	is, err := e.Store.ReportIssue(ctx, owner)
	if err != nil || is.Number == 0 || e.Settings.WebURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/issues/%d", strings.TrimSuffix(e.Settings.WebURL, "/"), owner, is.Repo, is.Number)
}

// APIURL links to an organisation's JSON report, "" without a public URL.
func (s Settings) APIURL(owner string) string {
	if s.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.PublicURL, "/") + "/api/v1/orgs/" + owner + "/report"
}

// Evaluator holds what every worker shares: GitHub access, the store, and the
// compiled rule engines (one per set of custom rules).
type Evaluator struct {
	GitHub   ghport.GitHub
	Store    *store.Store
	Metrics  *metrics.Metrics
	Settings Settings
	Now      func() time.Time
	// Reports holds why an organisation's report issue could not be written.
	Reports ReportProblems
	// Waits are the jobs of this process waiting for a rate limit.
	Waits RateWaits

	mu      sync.Mutex
	engines map[string]*policies.Engine // by digest of the custom modules
}

// orgConfig is an organisation's configuration as the jobs use it.
type orgConfig struct {
	Org      *config.Org
	Custom   map[string]string
	Problems []policies.Problem
}

// configBundle is what is cached of the config repository: the raw files, so that a
// later fix of the parser applies without a reload.
type configBundle struct {
	Config  []byte            `json:"config"`
	Found   bool              `json:"found"`
	Modules map[string]string `json:"modules"`
}

// Cache keys in the store's file cache. The config repository's bundle is refreshed
// on every push to it; a repository's override on every push to its default branch.
const (
	cacheRefDefault = "default-branch"
	bundlePath      = "golden-path/bundle.json"
	validBundlePath = "golden-path/last-valid.json"
)

func (e *Evaluator) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// OrgConfig returns the organisation's configuration, from the cache when it has
// been loaded before. A broken configuration is reported and the last valid one
// applies.
func (e *Evaluator) orgConfig(ctx context.Context, inst ghport.Installation, instID int64, owner string) (*orgConfig, error) {
	repo := owner + "/" + e.Settings.ConfigRepo
	data, found, _, err := e.Store.CachedFile(ctx, instID, repo, cacheRefDefault, bundlePath)
	if err != nil {
		return nil, fmt.Errorf("read cached configuration of %s: %w", owner, err)
	}
	var b configBundle
	if found {
		err = json.Unmarshal(data, &b)
	}
	if !found || err != nil {
		if b, err = e.loadBundle(ctx, inst, instID, owner); err != nil {
			return nil, err
		}
	}
	return e.resolveBundle(ctx, instID, repo, b)
}

// loadBundle reads golden-path.yaml and the custom rules from the config repository's
// default branch and caches them.
func (e *Evaluator) loadBundle(ctx context.Context, inst ghport.Installation, instID int64, owner string) (configBundle, error) {
	repo := e.Settings.ConfigRepo
	b := configBundle{Modules: map[string]string{}}
	data, found, err := inst.File(ctx, owner, repo, "", e.Settings.ConfigPath)
	if err != nil && !errors.Is(err, ghport.ErrGone) {
		return b, fmt.Errorf("read %s/%s/%s: %w", owner, repo, e.Settings.ConfigPath, err)
	}
	b.Config, b.Found = data, found
	if org, perr := config.ParseOrg(e.Settings.ConfigPath, data); perr == nil && found && org.Policies.Path != "" {
		if b.Modules, err = e.readModules(ctx, inst.Snapshot(owner, repo, "HEAD"), org.Policies.Path); err != nil {
			return b, fmt.Errorf("read custom rules of %s/%s: %w", owner, repo, err)
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return b, err
	}
	if err := e.Store.SaveCachedFile(ctx, instID, owner+"/"+repo, cacheRefDefault, bundlePath, raw, true); err != nil {
		return b, fmt.Errorf("cache configuration of %s: %w", owner, err)
	}
	return b, nil
}

// readModules reads the .rego files (tests excluded) under dir of a snapshot.
func (e *Evaluator) readModules(ctx context.Context, snap policies.Snapshot, dir string) (map[string]string, error) {
	entries, err := snap.Entries(ctx)
	if err != nil {
		return nil, err
	}
	prefix := strings.Trim(dir, "/") + "/"
	var paths []string
	for _, en := range entries {
		if strings.HasPrefix(en.Path, prefix) && path.Ext(en.Path) == ".rego" && !strings.HasSuffix(en.Path, "_test.rego") && en.Size <= 1<<20 {
			paths = append(paths, en.Path)
		}
	}
	files, err := snap.Read(ctx, paths)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(files))
	for p, b := range files {
		out[p] = string(b)
	}
	return out, nil
}

// resolveBundle parses a bundle. When golden-path.yaml is broken, the last valid
// configuration applies and the error becomes a problem on every check.
func (e *Evaluator) resolveBundle(ctx context.Context, instID int64, repo string, b configBundle) (*orgConfig, error) {
	oc := &orgConfig{Org: config.DefaultOrg(), Custom: b.Modules}
	if !b.Found {
		return oc, nil
	}
	org, err := config.ParseOrg(e.Settings.ConfigPath, b.Config)
	if err == nil {
		oc.Org = org
		raw, _ := json.Marshal(b)
		return oc, e.Store.SaveCachedFile(ctx, instID, repo, cacheRefDefault, validBundlePath, raw, true)
	}
	oc.Problems = append(oc.Problems, problemOf(repo+"/"+e.Settings.ConfigPath, err))
	data, found, _, lerr := e.Store.CachedFile(ctx, instID, repo, cacheRefDefault, validBundlePath)
	if lerr != nil {
		return nil, lerr
	}
	var last configBundle
	if found && json.Unmarshal(data, &last) == nil {
		if org, err := config.ParseOrg(e.Settings.ConfigPath, last.Config); err == nil {
			oc.Org, oc.Custom = org, last.Modules
		}
	}
	return oc, nil
}

// problemOf turns a configuration error into a problem with its line.
func problemOf(source string, err error) policies.Problem {
	p := policies.Problem{Source: source, Message: err.Error()}
	var ce *config.Error
	if errors.As(err, &ce) {
		p.Line, p.Message = ce.Line, ce.Message
	}
	return p
}

// overridePath is a repository's own configuration file.
const overridePath = ".github/golden-path.yaml"

// override returns a repository's own .github/golden-path.yaml as its default
// branch has it, parsed and checked against the org's configuration. A pull
// request never reads it from its own head: it cannot exempt itself.
func (e *Evaluator) override(ctx context.Context, inst ghport.Installation, instID int64, owner, repo, defaultBranch string, org *config.Org, defaultSnap policies.Snapshot) (*config.RepoOverride, *policies.Problem, error) {
	data, exists, err := e.overrideFile(ctx, inst, instID, owner, repo, defaultBranch, defaultSnap)
	if err != nil {
		return nil, nil, err
	}
	if !exists {
		return nil, nil, nil
	}
	o, err := config.ParseRepoOverride(overridePath, data)
	if err == nil {
		err = org.CheckOverride(o)
	}
	if err != nil {
		p := problemOf(overridePath, err)
		return nil, &p, nil
	}
	return o, nil, nil
}

// overrideFile reads the repository's own configuration file. Given a snapshot of
// the default branch, it reads it from there (through the blob cache) and
// refreshes the cached copy; otherwise the cached copy serves, read once from the
// default branch when missing.
func (e *Evaluator) overrideFile(ctx context.Context, inst ghport.Installation, instID int64, owner, repo, defaultBranch string, defaultSnap policies.Snapshot) (data []byte, exists bool, err error) {
	full := owner + "/" + repo
	if defaultSnap == nil {
		var found bool
		data, found, exists, err = e.Store.CachedFile(ctx, instID, full, cacheRefDefault, overridePath)
		if err != nil || found {
			return data, exists, err
		}
		data, exists, err = inst.File(ctx, owner, repo, defaultBranch, overridePath)
	} else {
		var files map[string][]byte
		files, err = defaultSnap.Read(ctx, []string{overridePath})
		data, exists = files[overridePath]
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s/%s: %w", full, overridePath, err)
	}
	return data, exists, e.Store.SaveCachedFile(ctx, instID, full, cacheRefDefault, overridePath, data, exists)
}

// engine returns the compiled engine for a set of custom modules, compiling it once.
func (e *Evaluator) engine(ctx context.Context, custom map[string]string) (*policies.Engine, error) {
	key := modulesDigest(custom)
	e.mu.Lock()
	defer e.mu.Unlock()
	if eng, ok := e.engines[key]; ok {
		return eng, nil
	}
	eng, err := policies.New(ctx, policies.Options{Custom: custom, Limits: e.Settings.Limits})
	if err != nil {
		return nil, err
	}
	if e.engines == nil || len(e.engines) >= 64 {
		e.engines = map[string]*policies.Engine{} // a crude bound: custom rule sets rarely change
	}
	e.engines[key] = eng
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

// evaluate runs the engine on one commit of a repository under the org's settings.
func (e *Evaluator) evaluate(ctx context.Context, snap policies.Snapshot, oc *orgConfig, override *config.RepoOverride, repo policies.Repository) (*policies.Evaluation, *policies.Engine, error) {
	eng, err := e.engine(ctx, oc.Custom)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	ev, err := eng.Evaluate(ctx, snap, policies.Request{
		Repository: repo, Org: oc.Org, Override: override, Today: e.now().UTC(),
	})
	if e.Metrics != nil {
		e.Metrics.Evaluation.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		return nil, nil, err
	}
	ev.Problems = append(ev.Problems, oc.Problems...)
	return ev, eng, nil
}

// save stores an evaluation so later pull requests can compare against it and the
// report can aggregate it.
func (e *Evaluator) save(ctx context.Context, instID, repoID int64, ref, sha string, ev *policies.Evaluation, eng *policies.Engine, oc *orgConfig) error {
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	owner, name, _ := strings.Cut(ev.Repository, "/")
	return e.Store.SaveEvaluation(ctx, store.EvaluationRecord{
		InstallationID: instID, RepoID: repoID, Owner: owner, Repo: name, HeadSHA: sha, Ref: ref,
		PolicyDigest: eng.Digest(), ConfigDigest: oc.Org.Digest(),
		Passed: ev.Summary.Passed, Applicable: ev.Summary.Applicable, Result: raw,
	})
}

func logger(ctx context.Context) *zerolog.Logger { return zerolog.Ctx(ctx) }
