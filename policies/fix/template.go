package fix

import (
	"encoding/json"
	"path"
	"strings"
)

// templateFacts is what a template sees: the exported fields of Facts, each
// string made safe for the file being written. In YAML every value is a
// quoted scalar (JSON strings are YAML), so `name: {{.Name}}` can never add a
// key; in Markdown a value is one line with HTML, mentions and Markdown syntax
// escaped; elsewhere (CODEOWNERS) it is one line.
type templateFacts struct {
	Org, Name, FullName, Description, DefaultBranch, WebURL   string
	ComponentName, ComponentType, Lifecycle, Owner, CodeOwner string
	Ecosystems                                                []Ecosystem
	Readme, ReadmeText                                        string
}

func templateData(f *Facts, target string) templateFacts {
	esc, readme := oneLine, oneLine
	switch path.Ext(target) {
	case ".yml", ".yaml":
		esc, readme = yamlQuote, yamlQuote
	case ".md":
		// The README is the repository's own Markdown, shown as it is written.
		esc, readme = markdownText, func(s string) string { return s }
	}
	d := templateFacts{
		Org: esc(f.Org), Name: esc(f.Name), FullName: esc(f.FullName),
		Description: esc(f.Description), DefaultBranch: esc(f.DefaultBranch), WebURL: esc(f.WebURL),
		ComponentName: esc(f.ComponentName), ComponentType: esc(f.ComponentType),
		Lifecycle: esc(f.Lifecycle), Owner: esc(f.Owner), CodeOwner: esc(f.CodeOwner),
		Readme: esc(f.Readme), ReadmeText: readme(f.ReadmeText),
	}
	if f.Description == "" {
		d.Description = ""
	}
	if f.CodeOwner == "" {
		d.CodeOwner = ""
	}
	if f.ReadmeText == "" {
		d.ReadmeText = ""
	}
	for _, e := range f.Ecosystems {
		dirs := make([]string, len(e.Directories))
		for i, dir := range e.Directories {
			dirs[i] = esc(dir)
		}
		d.Ecosystems = append(d.Ecosystems, Ecosystem{Name: esc(e.Name), Directories: dirs})
	}
	return d
}

func yamlQuote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// markdownEscapes neutralises what could turn a fact into markup: HTML, a
// mention or reference that notifies someone, emphasis, links, headings, tables.
var markdownEscapes = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "@", "&#64;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "[", `\[`, "]", `\]`, "#", `\#`, "|", `\|`, "!", `\!`,
)

func markdownText(s string) string { return markdownEscapes.Replace(oneLine(s)) }
