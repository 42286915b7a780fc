// Package fix generates the files that make failing golden-path rules pass
// (catalog-info.yaml, CODEOWNERS, SECURITY.md, dependabot.yml, TechDocs, a README
// and a runbook), filled from a repository's own facts. It is pure: it reads a
// snapshot and an evaluation and never talks to GitHub, so `goldenpath fix`, the
// fix pull requests and the remediation text of the PR comment share it.
package fix

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// Facts are what generated files are filled from; org templates see exactly
// these fields (see README.md, "Self-service fixes").
type Facts struct {
	// Org is the repository's owner login, Name its name, FullName "org/name".
	Org, Name, FullName string
	// Description is the repository's description ("" when it has none).
	Description string
	// DefaultBranch is the branch links point at.
	DefaultBranch string
	// WebURL is the GitHub web address, without a trailing slash.
	WebURL string
	// ComponentName is the repository name made a valid catalog metadata.name.
	ComponentName string
	// ComponentType is the evaluated component type (service, library, ...).
	ComponentType string
	// Lifecycle is spec.lifecycle for a new catalog entry.
	Lifecycle string
	// Owner is the catalog owner reference (group:payments-team, user:jdoe);
	// "" when neither the catalog, the override, CODEOWNERS nor the org names one.
	Owner string
	// CodeOwner is Owner in CODEOWNERS form (@acme/payments-team, @jdoe).
	CodeOwner string
	// Ecosystems are the package ecosystems Dependabot can update, with the
	// directories holding their manifests.
	Ecosystems []Ecosystem
	// Readme is the path of the repository's README, ReadmeText its content.
	Readme, ReadmeText string

	paths map[string]bool
	dirs  map[string]bool
}

// Ecosystem is one Dependabot package-ecosystem and the directories ("/",
// "/web") where its manifests are.
type Ecosystem struct {
	Name        string
	Directories []string
}

// Exists reports whether the repository has a file at path p.
func (f *Facts) Exists(p string) bool { return f.paths[p] }

// hasDir reports whether any file lies under directory d.
func (f *Facts) hasDir(d string) bool { return f.dirs[d] }

// Options are the facts that come from outside the repository.
type Options struct {
	// WebURL is GitHub's web address; default https://github.com.
	WebURL string
	// DefaultOwner is the org's fixes.owner, used when nothing in the
	// repository names an owner.
	DefaultOwner string
}

// readmeNames are the READMEs docs/index.md can be made from, in GitHub's order.
var readmeNames = []string{".github/README.md", "README.md", "docs/README.md", "readme.md", "Readme.md", "README.markdown", "README"}

// Gather collects the facts of a repository from its snapshot and its
// evaluation (component type and owner).
func Gather(ctx context.Context, snap policies.Snapshot, repo policies.Repository, ev *policies.Evaluation, opts Options) (*Facts, error) {
	entries, err := snap.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", repo.FullName(), err)
	}
	f := &Facts{
		Org: repo.Owner, Name: repo.Name, FullName: repo.FullName(),
		Description:   strings.TrimSpace(repo.Description),
		DefaultBranch: repo.DefaultBranch,
		WebURL:        strings.TrimSuffix(opts.WebURL, "/"),
		ComponentName: componentName(repo.Name),
		ComponentType: ev.ComponentType,
		Lifecycle:     "production",
		paths:         make(map[string]bool, len(entries)),
		dirs:          map[string]bool{},
	}
	if f.WebURL == "" {
		f.WebURL = "https://github.com"
	}
	if f.DefaultBranch == "" {
		f.DefaultBranch = "main"
	}
	if f.ComponentType == "" {
		f.ComponentType = "service"
	}
	for _, e := range entries {
		f.paths[e.Path] = true
		for d := path.Dir(e.Path); d != "." && !f.dirs[d]; d = path.Dir(d) {
			f.dirs[d] = true
		}
	}
	f.Ecosystems = ecosystems(entries)
	f.Owner = catalogOwner(ev.Owner)
	if f.Owner == "" {
		f.Owner = catalogOwner(opts.DefaultOwner)
	}
	f.CodeOwner = codeOwner(f.Owner, repo.Owner)
	for _, p := range readmeNames {
		if !f.paths[p] {
			continue
		}
		files, err := snap.Read(ctx, []string{p})
		if err != nil {
			return nil, fmt.Errorf("read %s of %s: %w", p, repo.FullName(), err)
		}
		f.Readme, f.ReadmeText = p, string(files[p])
		break
	}
	return f, nil
}

var invalidNameChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// componentName makes a repository name a Backstage metadata.name: 1-63
// characters of [A-Za-z0-9] separated by [-_.].
func componentName(name string) string {
	n := invalidNameChars.ReplaceAllString(name, "-")
	if len(n) > 63 {
		n = n[:63]
	}
	n = strings.TrimFunc(n, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	if n == "" {
		return "component"
	}
	return n
}

var (
	// A GitHub team or user login, and an owner reference's parts.
	loginPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$`)
	teamPattern  = regexp.MustCompile(`^@([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+)$`)
	userPattern  = regexp.MustCompile(`^@([A-Za-z0-9-]+)$`)
)

// catalogOwner turns an owner as the evaluation or the org states it (a
// catalog reference, or a CODEOWNERS team or user) into a catalog reference.
// Anything else (an e-mail, a malformed value) gives "": a generated file
// never carries an owner it could not check.
func catalogOwner(owner string) string {
	owner = strings.TrimSpace(owner)
	if m := teamPattern.FindStringSubmatch(owner); m != nil {
		return "group:" + strings.ToLower(m[2])
	}
	if m := userPattern.FindStringSubmatch(owner); m != nil {
		return "user:" + m[1]
	}
	kind, ref, found := strings.Cut(owner, ":")
	if !found {
		kind, ref = "group", owner
	}
	kind = strings.ToLower(kind)
	ns, name, hasNS := strings.Cut(ref, "/")
	if !hasNS {
		ns, name = "", ref
	}
	if (kind != "group" && kind != "user") || !loginPattern.MatchString(name) || (hasNS && !loginPattern.MatchString(ns)) {
		return ""
	}
	if ns == "default" {
		ns = ""
	}
	if ns != "" {
		return kind + ":" + ns + "/" + name
	}
	return kind + ":" + name
}

// codeOwner is a catalog owner in CODEOWNERS form: groups are teams of the
// repository's organisation (Backstage's GitHub org provider names groups by
// team slug), users are logins.
func codeOwner(owner, org string) string {
	kind, ref, _ := strings.Cut(owner, ":")
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		ref = ref[i+1:]
	}
	switch {
	case ref == "":
		return ""
	case kind == "user":
		return "@" + ref
	case loginPattern.MatchString(org):
		return "@" + org + "/" + ref
	}
	return ""
}

// manifests maps a manifest's base name to its Dependabot package-ecosystem.
var manifests = map[string]string{
	"package.json": "npm", "go.mod": "gomod", "Cargo.toml": "cargo", "pom.xml": "maven",
	"build.gradle": "gradle", "build.gradle.kts": "gradle", "requirements.txt": "pip",
	"pyproject.toml": "pip", "setup.py": "pip", "Pipfile": "pip", "Gemfile": "bundler",
	"composer.json": "composer", "packages.config": "nuget", "Dockerfile": "docker",
	"mix.exs": "mix", "pubspec.yaml": "pub", "Package.swift": "swift",
}

// manifestExts maps a manifest's extension to its ecosystem.
var manifestExts = map[string]string{".csproj": "nuget", ".fsproj": "nuget", ".vbproj": "nuget", ".tf": "terraform"}

// notOwnCode are directories whose files are someone else's (vendored,
// generated) or not shipped (examples, tests): their manifests are not the
// repository's dependencies.
var notOwnCode = map[string]bool{
	"vendor": true, "node_modules": true, "third_party": true, "third-party": true,
	"examples": true, "example": true, "testdata": true, "test": true, "tests": true,
	"fixtures": true, "__tests__": true, "bower_components": true, ".terraform": true,
}

// maxDirectories bounds one ecosystem's list: Dependabot opens pull requests
// per directory, and a repository with hundreds of modules wants a person's
// grouping, not all of them.
const maxDirectories = 50

func ecosystems(entries []policies.Entry) []Ecosystem {
	dirs := map[string]map[string]bool{}
	for _, e := range entries {
		base := path.Base(e.Path)
		eco := manifests[base]
		if eco == "" {
			eco = manifestExts[path.Ext(base)]
		}
		if eco == "" || !ownCode(e.Path) {
			continue
		}
		if dirs[eco] == nil {
			dirs[eco] = map[string]bool{}
		}
		d := "/"
		if dir := path.Dir(e.Path); dir != "." {
			d += dir
		}
		dirs[eco][d] = true
	}
	out := []Ecosystem{{Name: "github-actions", Directories: []string{"/"}}}
	names := make([]string, 0, len(dirs))
	for name := range dirs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ds := make([]string, 0, len(dirs[name]))
		for d := range dirs[name] {
			ds = append(ds, d)
		}
		// Shallowest first, so the cap keeps the top-level projects.
		slices.SortFunc(ds, func(a, b string) int {
			if c := strings.Count(a, "/") - strings.Count(b, "/"); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		if len(ds) > maxDirectories {
			ds = ds[:maxDirectories]
		}
		out = append(out, Ecosystem{Name: name, Directories: ds})
	}
	return out
}

func ownCode(p string) bool {
	for _, part := range strings.Split(path.Dir(p), "/") {
		if notOwnCode[strings.ToLower(part)] {
			return false
		}
	}
	return true
}
