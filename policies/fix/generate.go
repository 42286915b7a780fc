package fix

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"text/template"

	yaml "go.yaml.in/yaml/v3"
)

// File is one generated file and the rule it makes pass.
type File struct {
	Path    string
	Rule    string
	Content []byte
}

// Unfixable is a failing rule the generators cannot fix for this repository,
// and why (a file to edit by hand exists, no owner is known, ...).
type Unfixable struct {
	Rule   string
	Reason string
}

// Plan is what fixing a repository would add.
type Plan struct {
	Files     []File
	Unfixable []Unfixable
}

// ByPath is the plan's files keyed by path.
func (p *Plan) ByPath() map[string][]byte {
	out := make(map[string][]byte, len(p.Files))
	for _, f := range p.Files {
		out[f.Path] = f.Content
	}
	return out
}

// draft is a file a rule's generator wants: YAML is built as data by build;
// other files come from templates/<base name>.tmpl (build is nil).
type draft struct {
	path  string
	build func(f *Facts, adding map[string]bool) (any, error)
}

// generator decides, for one rule, which files to add, or why it cannot.
type generator struct {
	rule   string
	drafts func(f *Facts) ([]draft, string)
}

const noOwner = "no owner is known: add CODEOWNERS, set owner in .github/golden-path.yaml, or fixes.owner in the org's golden-path.yaml"

var generators = []generator{
	{"catalog.present", func(f *Facts) ([]draft, string) {
		if p := f.first("catalog-info.yaml", "catalog-info.yml"); p != "" {
			return nil, p + " exists: fix it by hand"
		}
		if f.Owner == "" {
			return nil, noOwner
		}
		return []draft{{"catalog-info.yaml", catalogInfo}}, ""
	}},
	{"ownership.codeowners", func(f *Facts) ([]draft, string) {
		if p := f.first(".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"); p != "" {
			return nil, p + " exists: fix it by hand"
		}
		if f.CodeOwner == "" {
			return nil, noOwner
		}
		return []draft{{".github/CODEOWNERS", nil}}, ""
	}},
	{"security.policy", func(f *Facts) ([]draft, string) {
		if p := f.first("SECURITY.md", ".github/SECURITY.md", "docs/SECURITY.md"); p != "" {
			return nil, p + " exists"
		}
		return []draft{{"SECURITY.md", nil}}, ""
	}},
	{"deps.automation", func(f *Facts) ([]draft, string) {
		if p := f.first(".github/dependabot.yml", ".github/dependabot.yaml"); p != "" {
			return nil, p + " exists: fix it by hand"
		}
		return []draft{{".github/dependabot.yml", dependabot}}, ""
	}},
	{"docs.techdocs", func(f *Facts) ([]draft, string) {
		var ds []draft
		if f.first("mkdocs.yml", "mkdocs.yaml") == "" {
			ds = append(ds, draft{"mkdocs.yml", mkdocs})
		}
		if !f.hasDir("docs") {
			ds = append(ds, draft{"docs/index.md", nil})
		}
		if len(ds) == 0 {
			return nil, "mkdocs.yml and docs/ exist: check the backstage.io/techdocs-ref annotation"
		}
		return ds, ""
	}},
	{"docs.readme", func(f *Facts) ([]draft, string) {
		if f.Readme != "" {
			return nil, f.Readme + " exists: say more in it"
		}
		return []draft{{"README.md", nil}}, ""
	}},
	{"operations.runbook", func(f *Facts) ([]draft, string) {
		if f.Exists("docs/runbook.md") {
			return nil, "docs/runbook.md exists"
		}
		return []draft{{"docs/runbook.md", nil}}, ""
	}},
}

// Rules lists the IDs of the rules that have a fix.
func Rules() []string {
	ids := make([]string, len(generators))
	for i, g := range generators {
		ids[i] = g.rule
	}
	return ids
}

// Paths lists every path a generator may write: the keys fixes.templates accepts.
func Paths() []string {
	f := &Facts{Owner: "group:x", CodeOwner: "@x/x"}
	var out []string
	for _, g := range generators {
		ds, _ := g.drafts(f)
		for _, d := range ds {
			out = append(out, d.path)
		}
	}
	sort.Strings(out)
	return out
}

func (f *Facts) first(paths ...string) string {
	for _, p := range paths {
		if f.Exists(p) {
			return p
		}
	}
	return ""
}

//go:embed templates
var templateFS embed.FS

// bundledTemplates are the text files' templates, named <base name>.tmpl.
var bundledTemplates = template.Must(template.ParseFS(templateFS, "templates/*.tmpl"))

// Generator fills files from facts, with the bundled templates or the org's.
type Generator struct {
	templates map[string]*template.Template
}

// New builds a generator. templates maps a generated path (one of Paths) to the
// text of a Go text/template that replaces the bundled content; the template
// sees the fields of Facts and no functions beyond text/template's own.
func New(templates map[string]string) (*Generator, error) {
	known := Paths()
	g := &Generator{templates: map[string]*template.Template{}}
	for p, text := range templates {
		if !slices.Contains(known, p) {
			return nil, fmt.Errorf("fixes.templates: no fix writes %q (fixes write %s)", p, strings.Join(known, ", "))
		}
		t, err := template.New(p).Option("missingkey=error").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("fixes.templates: %w", err)
		}
		g.templates[p] = t
	}
	return g, nil
}

// Bundled is the generator with the bundled templates.
var Bundled = &Generator{}

// Files is Bundled's plan for the given failing rules, keyed by path: what the
// PR comment shows as the ready-made remediation.
func Files(f *Facts, failing []string) map[string][]byte {
	p, err := Bundled.Plan(f, failing)
	if err != nil {
		return nil // the bundled templates are tested: this cannot happen
	}
	return p.ByPath()
}

// Plan generates the files that fix the given failing rules. A rule without a
// generator is ignored; one whose generator declines is listed in Unfixable.
// Existing files are never part of a plan.
func (g *Generator) Plan(f *Facts, failing []string) (*Plan, error) {
	fixing := map[string]bool{}
	for _, r := range failing {
		fixing[r] = true
	}
	// Drafts first, so a file can refer to another one being added.
	type pending struct {
		rule string
		d    draft
	}
	var todo []pending
	plan := &Plan{}
	for _, gen := range generators {
		if !fixing[gen.rule] {
			continue
		}
		ds, reason := gen.drafts(f)
		if reason != "" {
			plan.Unfixable = append(plan.Unfixable, Unfixable{Rule: gen.rule, Reason: reason})
			continue
		}
		for _, d := range ds {
			todo = append(todo, pending{gen.rule, d})
		}
	}
	adding := map[string]bool{}
	for _, p := range todo {
		adding[p.d.path] = true
	}
	for _, p := range todo {
		content, err := g.render(f, p.d, adding)
		if err != nil {
			return nil, fmt.Errorf("generate %s for %s: %w", p.d.path, f.FullName, err)
		}
		plan.Files = append(plan.Files, File{Path: p.d.path, Rule: p.rule, Content: content})
	}
	return plan, nil
}

func (g *Generator) render(f *Facts, d draft, adding map[string]bool) ([]byte, error) {
	yamlFile := isYAML(d.path)
	t := g.templates[d.path]
	if t == nil && d.build == nil {
		t = bundledTemplates.Lookup(path.Base(d.path) + ".tmpl")
	}
	if t == nil {
		v, err := d.build(f, adding)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return buf.Bytes(), enc.Close()
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, templateData(f, d.path)); err != nil {
		return nil, err
	}
	// An org's template must still give a file the tools can read.
	if yamlFile {
		var v any
		if err := yaml.Unmarshal(buf.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("template output is not YAML: %w", err)
		}
	}
	return buf.Bytes(), nil
}

func isYAML(p string) bool {
	ext := path.Ext(p)
	return ext == ".yml" || ext == ".yaml"
}

// catalogEntity is a Backstage Component descriptor, marshalled as data so that
// no fact can add a key or a document.
type catalogEntity struct {
	APIVersion string          `yaml:"apiVersion"`
	Kind       string          `yaml:"kind"`
	Metadata   catalogMetadata `yaml:"metadata"`
	Spec       catalogSpec     `yaml:"spec"`
}

type catalogMetadata struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description,omitempty"`
	Annotations map[string]string `yaml:"annotations"`
}

type catalogSpec struct {
	Type      string `yaml:"type"`
	Lifecycle string `yaml:"lifecycle"`
	Owner     string `yaml:"owner"`
}

func catalogInfo(f *Facts, adding map[string]bool) (any, error) {
	ann := map[string]string{}
	if f.Org != "" {
		ann["github.com/project-slug"] = f.FullName
	}
	if f.first("mkdocs.yml", "mkdocs.yaml") != "" || adding["mkdocs.yml"] {
		ann["backstage.io/techdocs-ref"] = "dir:."
	}
	return catalogEntity{
		APIVersion: "backstage.io/v1alpha1",
		Kind:       "Component",
		Metadata:   catalogMetadata{Name: f.ComponentName, Description: oneLine(f.Description), Annotations: ann},
		Spec:       catalogSpec{Type: f.ComponentType, Lifecycle: f.Lifecycle, Owner: f.Owner},
	}, nil
}

type dependabotConfig struct {
	Version int                `yaml:"version"`
	Updates []dependabotUpdate `yaml:"updates"`
}

type dependabotUpdate struct {
	Ecosystem   string             `yaml:"package-ecosystem"`
	Directory   string             `yaml:"directory,omitempty"`
	Directories []string           `yaml:"directories,omitempty"`
	Schedule    dependabotSchedule `yaml:"schedule"`
}

type dependabotSchedule struct {
	Interval string `yaml:"interval"`
}

func dependabot(f *Facts, _ map[string]bool) (any, error) {
	c := dependabotConfig{Version: 2}
	for _, e := range f.Ecosystems {
		u := dependabotUpdate{Ecosystem: e.Name, Schedule: dependabotSchedule{Interval: "weekly"}}
		if len(e.Directories) == 1 {
			u.Directory = e.Directories[0]
		} else {
			u.Directories = e.Directories
		}
		c.Updates = append(c.Updates, u)
	}
	return c, nil
}

type mkdocsConfig struct {
	SiteName        string              `yaml:"site_name"`
	SiteDescription string              `yaml:"site_description,omitempty"`
	RepoURL         string              `yaml:"repo_url,omitempty"`
	Nav             []map[string]string `yaml:"nav"`
	Plugins         []string            `yaml:"plugins"`
}

func mkdocs(f *Facts, adding map[string]bool) (any, error) {
	c := mkdocsConfig{
		SiteName:        f.Name,
		SiteDescription: oneLine(f.Description),
		Nav:             []map[string]string{{"Home": "index.md"}},
		Plugins:         []string{"techdocs-core"},
	}
	if f.Org != "" {
		c.RepoURL = f.WebURL + "/" + f.FullName
	}
	if f.Exists("docs/runbook.md") || adding["docs/runbook.md"] {
		c.Nav = append(c.Nav, map[string]string{"Runbook": "runbook.md"})
	}
	return c, nil
}

// oneLine folds whitespace, newlines included, so a fact stays one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
