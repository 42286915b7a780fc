package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/goldenpath/goldenpath/config"
	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/policies/evaluation"
	"github.com/goldenpath/goldenpath/server/ghport"
	"github.com/goldenpath/goldenpath/server/store"
)

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

// maxParsedConfigs bounds the parsed org files kept: one per organisation, and a
// few proposals previewed.
const maxParsedConfigs = 256

// configLoader loads organisations' configurations: each golden-path.yaml is
// parsed once per content (every job of an organisation reads the same file), and
// the last valid configuration is written to the store only when it changes.
type configLoader struct {
	store      *store.Store
	repo, path string // the config repository, and golden-path.yaml's path in it

	mu     sync.Mutex
	parsed map[[sha256.Size]byte]parsedOrg
	// lastValid is the bundle last known stored as an organisation's last valid
	// configuration, by config repository.
	lastValid map[string][]byte
}

func newConfigLoader(st *store.Store, s Settings) *configLoader {
	return &configLoader{store: st, repo: s.ConfigRepo, path: s.ConfigPath}
}

type parsedOrg struct {
	org *config.Org
	err error
}

// parse parses golden-path.yaml, once per content. The configuration returned is
// shared: it is never modified.
func (c *configLoader) parse(data []byte) (*config.Org, error) {
	key := sha256.Sum256(data)
	c.mu.Lock()
	p, ok := c.parsed[key]
	c.mu.Unlock()
	if ok {
		return p.org, p.err
	}
	p.org, p.err = config.ParseOrg(c.path, data)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parsed == nil || len(c.parsed) >= maxParsedConfigs {
		c.parsed = map[[sha256.Size]byte]parsedOrg{}
	}
	c.parsed[key] = p
	return p.org, p.err
}

// isStored reports whether raw is known to be the stored last valid bundle of repo.
func (c *configLoader) isStored(repo string, raw []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Equal(c.lastValid[strings.ToLower(repo)], raw)
}

func (c *configLoader) setStored(repo string, raw []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastValid == nil || len(c.lastValid) >= maxParsedConfigs {
		c.lastValid = map[string][]byte{}
	}
	c.lastValid[strings.ToLower(repo)] = raw
}

// load returns the organisation's configuration, from the cache when it has
// been loaded before. A broken configuration is reported and the last valid one
// applies.
func (c *configLoader) load(ctx context.Context, t target) (*evaluation.Org, error) {
	repo := t.owner + "/" + c.repo
	data, found, _, err := c.store.CachedFile(ctx, t.instID, repo, cacheRefDefault, bundlePath)
	if err != nil {
		return nil, fmt.Errorf("read cached configuration of %s: %w", t.owner, err)
	}
	var b configBundle
	if found {
		err = json.Unmarshal(data, &b)
	}
	if !found || err != nil {
		if b, err = c.reload(ctx, t); err != nil {
			return nil, err
		}
	}
	oc, valid, err := c.resolve(ctx, t.instID, repo, b)
	if err != nil || !valid {
		return oc, err
	}
	// Recorded here, by the jobs, and not in resolve: the report's GET
	// resolves the configuration too and must not write.
	return oc, c.saveLastValid(ctx, t.instID, repo, b)
}

// stored is the organisation's configuration as last cached, read without
// asking GitHub and without writing (the report's GET): the default
// configuration when none is cached.
func (c *configLoader) stored(ctx context.Context, instID int64, owner string) (*evaluation.Org, error) {
	repo := owner + "/" + c.repo
	data, found, _, err := c.store.CachedFile(ctx, instID, repo, cacheRefDefault, bundlePath)
	if err != nil {
		return nil, err
	}
	var b configBundle
	if !found || json.Unmarshal(data, &b) != nil {
		return &evaluation.Org{Config: config.DefaultOrg()}, nil
	}
	oc, _, err := c.resolve(ctx, instID, repo, b)
	return oc, err
}

// reload reads golden-path.yaml and the custom rules from the config repository's
// default branch and caches them.
func (c *configLoader) reload(ctx context.Context, t target) (configBundle, error) {
	repo := c.repo
	b := configBundle{Modules: map[string]string{}}
	data, found, err := t.inst.File(ctx, t.owner, repo, "", c.path)
	if err != nil && !errors.Is(err, ghport.ErrGone) {
		return b, fmt.Errorf("read %s/%s/%s: %w", t.owner, repo, c.path, err)
	}
	b.Config, b.Found = data, found
	if org, perr := c.parse(data); perr == nil && found && org.Policies.Path != "" {
		if b.Modules, err = readModules(ctx, t.inst.Snapshot(t.owner, repo, "HEAD"), org.Policies.Path); err != nil {
			return b, fmt.Errorf("read custom rules of %s/%s: %w", t.owner, repo, err)
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return b, err
	}
	if err := c.store.SaveCachedFile(ctx, t.instID, t.owner+"/"+repo, cacheRefDefault, bundlePath, raw, true); err != nil {
		return b, fmt.Errorf("cache configuration of %s: %w", t.owner, err)
	}
	return b, nil
}

// readModules reads the .rego files (tests excluded) under dir of a snapshot.
func readModules(ctx context.Context, snap policies.Snapshot, dir string) (map[string]string, error) {
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

// resolve parses a bundle without writing; valid says golden-path.yaml
// exists and parses. When it is broken, the last valid configuration applies
// and the error becomes a problem on every check.
func (c *configLoader) resolve(ctx context.Context, instID int64, repo string, b configBundle) (oc *evaluation.Org, valid bool, err error) {
	oc = &evaluation.Org{Config: config.DefaultOrg(), Custom: b.Modules}
	if !b.Found {
		return oc, false, nil
	}
	org, err := c.parse(b.Config)
	if err == nil {
		oc.Config = org
		return oc, true, nil
	}
	oc.Problems = append(oc.Problems, evaluation.Problem(repo+"/"+c.path, err))
	data, found, _, lerr := c.store.CachedFile(ctx, instID, repo, cacheRefDefault, validBundlePath)
	if lerr != nil {
		return nil, false, lerr
	}
	var last configBundle
	if found && json.Unmarshal(data, &last) == nil {
		if org, err := c.parse(last.Config); err == nil {
			oc.Config, oc.Custom = org, last.Modules
		}
	}
	return oc, false, nil
}

// saveLastValid records b as the organisation's last valid configuration, unless
// it is that already: every job resolves the configuration, few change it.
func (c *configLoader) saveLastValid(ctx context.Context, instID int64, repo string, b configBundle) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if c.isStored(repo, raw) {
		return nil
	}
	// Another process (or an earlier run of this one) may have stored it.
	data, found, _, err := c.store.CachedFile(ctx, instID, repo, cacheRefDefault, validBundlePath)
	if err != nil {
		return err
	}
	if !found || !bytes.Equal(data, raw) {
		if err := c.store.SaveCachedFile(ctx, instID, repo, cacheRefDefault, validBundlePath, raw, true); err != nil {
			return err
		}
	}
	c.setStored(repo, raw)
	return nil
}
