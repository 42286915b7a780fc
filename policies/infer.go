package policies

import (
	"fmt"
	"iter"
	"path"
	"slices"
	"strings"

	"github.com/goldenpath/goldenpath/config"
)

// Component types the engine infers; with the types rules name in applies_to
// they are the types a catalog or override may use without a problem report.
const (
	TypeService        = "service"
	TypeWebsite        = "website"
	TypeLibrary        = "library"
	TypeDocumentation  = "documentation"
	TypeInfrastructure = "infrastructure"
	TypeTemplate       = "template"
)

// knownTypes are accepted besides the inferred ones and those in applies_to:
// Backstage's own and the ones golden-path.yaml documents.
var knownTypes = []string{TypeService, TypeWebsite, TypeLibrary, TypeDocumentation, TypeInfrastructure, TypeTemplate, "docs"}

// componentFiles answers "is this file or directory in the component" relative
// to the component's directory, from the repository's indexes.
type componentFiles struct {
	ix     *pathIndex
	prefix string // "" or "dir/"
}

func (f componentFiles) has(rel string) bool {
	_, ok := f.ix.entry(f.prefix + rel)
	return ok
}

func (f componentFiles) first(rels ...string) string {
	for _, r := range rels {
		if f.has(r) {
			return r
		}
	}
	return ""
}

func (f componentFiles) hasDir(rel string) bool { return f.ix.hasDir(f.prefix + rel) }

// topExt is a file with the extension directly in the component's directory.
func (f componentFiles) topExt(x string) string {
	ps, _ := f.ix.extsMap()[x].([]string)
	for _, p := range ps {
		if rel, ok := strings.CutPrefix(p, f.prefix); ok && !strings.Contains(rel, "/") {
			return rel
		}
	}
	return ""
}

// withName yields the paths (relative to the component) of its files with this
// base name.
func (f componentFiles) withName(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		ps, _ := f.ix.names[name].([]string)
		for _, p := range ps {
			if rel, ok := strings.CutPrefix(p, f.prefix); ok && !yield(rel) {
				return
			}
		}
	}
}

// named is the first path (relative) with this base name whose directory,
// relative to the component, matches the glob dirGlob.
func (f componentFiles) named(name, dirGlob string) string {
	for rel := range f.withName(name) {
		if ok, _ := path.Match(dirGlob, path.Dir(rel)); ok {
			return rel
		}
	}
	return ""
}

// nested is the first path (relative) with one of these base names at most
// maxDepth directories below the component, outside the trees whose files do not
// build or deploy the component itself (notOwnBuild).
func (f componentFiles) nested(maxDepth int, names ...string) string {
	for _, name := range names {
		for rel := range f.withName(name) {
			dirs := strings.Split(rel, "/")
			dirs = dirs[:len(dirs)-1]
			if len(dirs) <= maxDepth && !slices.ContainsFunc(dirs, func(d string) bool { return notOwnBuild[strings.ToLower(d)] || strings.Contains(d, "{{") }) {
				return rel
			}
		}
	}
	return ""
}

// notOwnBuild are directories whose Dockerfiles, manifests and project files
// are not how the component itself is built or deployed: development
// containers, tests, examples, vendored code, the skeletons of templates
// (and directories named with a template placeholder), and the images of
// build scripts and tools.
var notOwnBuild = map[string]bool{
	".devcontainer": true, "test": true, "tests": true, "testdata": true, "e2e": true, "fixtures": true,
	"example": true, "examples": true, "sample": true, "samples": true, "demo": true, "demos": true,
	"vendor": true, "node_modules": true, "third_party": true, "skeleton": true, "skeletons": true, "template": true, "templates": true,
	"scripts": true, "hack": true, "tools": true, ".github": true,
}

// signal is one kind of evidence for a type, tried in order.
type signal struct {
	typ  string
	find func(componentFiles) string // the reason, "" when absent
}

var (
	packageManifests = []string{
		"go.mod", "package.json", "pyproject.toml", "setup.py", "setup.cfg", "Cargo.toml",
		"pom.xml", "build.gradle", "build.gradle.kts", "composer.json", "mix.exs",
		"Package.swift", "pubspec.yaml", "Gemfile",
	}
	// Manifests named after their project (.NET projects and solutions, whose
	// projects usually sit in src/<Name>/; Ruby gemspecs), by extension.
	namedManifests = []string{".csproj", ".fsproj", ".vbproj", ".sln", ".slnx", ".gemspec"}
	deployDirs     = []string{"k8s", "kubernetes", "kube", "deploy", "deployment", "deployments", "manifests", "helm", ".helm", "chart"}
	kustomizations = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
	iacProjects    = []string{"Pulumi.yaml", "Pulumi.yml", "cdk.json", "cdktf.json"}
	siteConfigs    = []string{
		"next.config.js", "next.config.mjs", "next.config.ts", "gatsby-config.js", "gatsby-config.ts",
		"nuxt.config.js", "nuxt.config.ts", "astro.config.mjs", "astro.config.ts", "svelte.config.js",
		"angular.json", "remix.config.js",
	}
)

// signals decide a component's inferred type; the first that finds evidence
// wins (the order is documented in policies/README.md). A template's skeleton
// is not the repository's own project; a docs site generator outranks the
// Dockerfile that previews it; something that runs (a container, a Procfile,
// deployment manifests) is a service even when it is also a package; a chart,
// module or IaC project outranks its helper images; a site generator's
// configuration outranks the package.json it needs; a package manifest with
// nothing deployable is a library.
var signals = []signal{
	{TypeTemplate, func(f componentFiles) string {
		if p := f.first("cookiecutter.json", "copier.yml", "copier.yaml"); p != "" {
			return fmt.Sprintf("project template (%s)", p)
		}
		// Backstage software templates: a template.yaml beside the skeleton it
		// fills in.
		for rel := range f.withName("template.yaml") {
			if strings.Count(rel, "/") <= 3 && f.hasDir(path.Join(path.Dir(rel), "skeleton")) {
				return fmt.Sprintf("software templates (%s with a skeleton/)", rel)
			}
		}
		return ""
	}},
	// A site generator's configuration outranks the Dockerfile that previews
	// the site locally.
	{TypeDocumentation, func(f componentFiles) string {
		if p := f.first("docusaurus.config.js", "docusaurus.config.ts", "hugo.toml", "hugo.yaml", "antora.yml", "antora-playbook.yml", "book.toml"); p != "" {
			return fmt.Sprintf("documentation site (%s)", p)
		}
		return ""
	}},
	{TypeService, func(f componentFiles) string {
		if p := f.first("PROJECT"); p != "" && (f.hasDir("config/crd") || f.has("go.mod")) {
			return "Kubernetes operator (kubebuilder PROJECT file)"
		}
		if f.hasDir("config/crd") && f.hasDir("config/manager") {
			return "Kubernetes operator (config/crd and config/manager)"
		}
		return ""
	}},
	{TypeService, func(f componentFiles) string {
		if p := f.first("Dockerfile", "Containerfile", "Procfile", "fly.toml", "app.yaml", "serverless.yml", "serverless.yaml",
			"azure.yaml", "skaffold.yaml", "Tiltfile"); p != "" {
			return fmt.Sprintf("runs as a service (%s)", p)
		}
		for _, d := range deployDirs {
			if f.hasDir(d) && !f.hasDir(d+"/charts") {
				return fmt.Sprintf("deployment manifests in %s/", d)
			}
		}
		if p := f.nested(3, kustomizations...); p != "" && f.first(packageManifests...) != "" {
			return fmt.Sprintf("deployment manifests (%s) beside its code", p)
		}
		return ""
	}},
	{TypeInfrastructure, func(f componentFiles) string {
		if p := f.first("Chart.yaml"); p != "" {
			return "Helm chart (Chart.yaml)"
		}
		if p := f.named("Chart.yaml", "charts/*"); p != "" {
			return fmt.Sprintf("Helm chart repository (%s)", p)
		}
		if p := f.named("Chart.yaml", "*"); p != "" {
			return fmt.Sprintf("Helm charts (%s)", p)
		}
		return ""
	}},
	{TypeInfrastructure, func(f componentFiles) string {
		for _, x := range []string{".tf", ".tofu"} {
			if p := f.topExt(x); p != "" {
				return fmt.Sprintf("Terraform/OpenTofu module (%s)", p)
			}
		}
		// Pulumi, AWS CDK and CDKTF projects, or a collection of them.
		if p := f.nested(2, iacProjects...); p != "" {
			return fmt.Sprintf("infrastructure as code (%s)", p)
		}
		// Kubernetes configuration and no code of its own: a GitOps repository.
		if p := f.nested(3, kustomizations...); p != "" {
			return fmt.Sprintf("Kubernetes configuration (%s) and no application code", p)
		}
		return ""
	}},
	{TypeService, func(f componentFiles) string {
		// docker/Dockerfile, build/package/Dockerfile, src/api/Dockerfile: the
		// component's own images. Below a chart, module or IaC project's
		// signals, which such a repository's helper images do not outweigh.
		if p := f.nested(2, "Dockerfile", "Containerfile"); p != "" {
			return fmt.Sprintf("runs as a service (%s)", p)
		}
		return ""
	}},
	{TypeWebsite, func(f componentFiles) string {
		if p := f.first(siteConfigs...); p != "" {
			return fmt.Sprintf("website (%s)", p)
		}
		if f.has("package.json") && f.first("index.html", "public/index.html", "src/index.html") != "" {
			return "website (package.json with an index.html)"
		}
		if f.first(packageManifests...) == "" {
			if p := f.first("index.html", "CNAME"); p != "" {
				return fmt.Sprintf("static website (%s)", p)
			}
		}
		return ""
	}},
	{TypeLibrary, func(f componentFiles) string {
		p := f.first(packageManifests...)
		for _, x := range namedManifests {
			if p == "" {
				p = f.topExt(x)
			}
		}
		if p != "" {
			return fmt.Sprintf("library: package manifest %s and nothing deployable", p)
		}
		return ""
	}},
	{TypeDocumentation, func(f componentFiles) string {
		if p := f.first("mkdocs.yml", "mkdocs.yaml", "docs/conf.py", "conf.py", "_config.yml"); p != "" {
			return fmt.Sprintf("documentation site (%s) and no package manifest", p)
		}
		return ""
	}},
}

// inferType reads a component's type from the files in its directory.
func inferType(ix *pathIndex, c *Component) (typ, reason string) {
	f := componentFiles{ix: ix, prefix: c.prefix()}
	for _, s := range signals {
		if why := s.find(f); why != "" {
			return s.typ, why
		}
	}
	return "", ""
}

// settleComponents gives every component its type (catalog, override, inferred,
// default) and owner, picks the root component, and reports a type no rule
// knows as a configuration problem.
func (e *Engine) settleComponents(doc *inputDoc, override *config.RepoOverride) []Problem {
	var problems []Problem
	for _, c := range doc.components {
		// A type no rule knows is reported, and the files decide which rules
		// apply: judged as a type to which nothing applies, the component would
		// pass by skipping (a typo such as "servce" turned off six rules).
		infer, unknown := true, "" // unknown: the type as written, when no rule knows it
		switch {
		case c.TypeSource == TypeFromCatalog:
			if infer = !e.knowsType(c.Type); !infer {
				break
			}
			unknown = fmt.Sprintf("spec.type %q", c.Type)
			problems = append(problems, Problem{Source: c.entity.Path, Line: lineOf(*c.entity, "spec.type"),
				Message: e.unknownType(fmt.Sprintf("spec.type %q of %s", c.Type, c.Ref), c.Type)})
		case c.entity == nil && doc.override.ComponentType != "":
			c.Type, c.TypeSource = doc.override.ComponentType, TypeFromOverride
			if infer = !e.knowsType(c.Type); !infer {
				break
			}
			unknown = fmt.Sprintf("component_type %q", c.Type)
			file, line := override.ComponentTypeAt()
			problems = append(problems, Problem{Source: file, Line: line,
				Message: e.unknownType(fmt.Sprintf("component_type %q", c.Type), c.Type)})
		}
		if infer {
			if t, why := inferType(doc.index, c); t != "" {
				c.Type, c.TypeSource, c.TypeReason = t, TypeFromInferred, why
			} else {
				c.Type, c.TypeSource = DefaultComponentType, TypeFromDefault
				c.TypeReason = "nothing in its directory tells its type (no package manifest, deployment, chart, module or site configuration)"
			}
			if unknown != "" {
				c.TypeReason = fmt.Sprintf("%s is no type a rule knows; judged as %s: %s", unknown, c.Type, c.TypeReason)
			}
		}
		if c.entity == nil {
			c.Owner = firstNonEmpty(doc.override.Owner, catalogOwner(doc.catalog))
		}
		if c.Owner == "" {
			c.Owner = doc.codeowners.OwnerOf(c.Path)
		}
		if doc.root == nil || (c.Path == RootPath && doc.root.Path != RootPath) {
			doc.root = c
		}
	}
	return problems
}

// catalogOwner is spec.owner of the first entity that has one, for a repository
// whose catalog declares no Component.
func catalogOwner(cat Catalog) string {
	for _, ent := range cat.Entities {
		m, _ := ent.Entity.(map[string]any)
		spec, _ := m["spec"].(map[string]any)
		if o, _ := spec["owner"].(string); o != "" {
			return o
		}
	}
	return ""
}

func (e *Engine) knowsType(t string) bool {
	return slices.Contains(e.types, t)
}

func (e *Engine) unknownType(what, t string) string {
	msg := fmt.Sprintf("%s is not a component type any rule knows (known: %s)", what, strings.Join(e.types, ", "))
	for _, k := range e.types {
		if strings.EqualFold(k, t) || editDistanceAtMostTwo(strings.ToLower(t), k) {
			return msg + fmt.Sprintf("; did you mean %q?", k)
		}
	}
	return msg
}

// editDistanceAtMostTwo catches typos such as "servce" for "service".
func editDistanceAtMostTwo(a, b string) bool {
	if d := len(a) - len(b); d > 2 || d < -2 {
		return false
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)] <= 2
}
