package policies

import (
	"bytes"
	"strings"

	"github.com/hmarr/codeowners"
)

// codeownersFiles are the places GitHub looks for CODEOWNERS, in its order: the first
// one found is the one GitHub uses.
var codeownersFiles = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// Codeowners is the parsed CODEOWNERS file (input.codeowners).
type Codeowners struct {
	Path   string          `json:"path"`
	Rules  []CodeownerRule `json:"rules"`
	Errors []FileError     `json:"errors"`

	set codeowners.Ruleset // the valid rules, for OwnerOf
}

// CodeownerRule is one pattern line.
type CodeownerRule struct {
	Pattern string   `json:"pattern"`
	Owners  []string `json:"owners"`
	Line    int      `json:"line"`
}

// parseCodeowners parses the first CODEOWNERS file present with hmarr/codeowners (which
// also validates owner forms). Lines are parsed one at a time so that every bad line is
// reported with its number and the good ones still count.
func parseCodeowners(files map[string]fileContent) *Codeowners {
	for _, p := range codeownersFiles {
		f, ok := files[p]
		if !ok {
			continue
		}
		co := &Codeowners{Path: p, Rules: []CodeownerRule{}, Errors: []FileError{}}
		if f.Skipped != "" {
			co.Errors = append(co.Errors, FileError{Path: p, Message: "file not read: " + f.Skipped})
			return co
		}
		for i, line := range strings.Split(f.Content, "\n") {
			n := i + 1
			trimmed := strings.TrimSpace(line)
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			rs, err := codeowners.ParseFile(bytes.NewReader([]byte(trimmed + "\n")))
			if err != nil {
				co.Errors = append(co.Errors, FileError{Path: p, Line: n, Message: strings.TrimPrefix(err.Error(), "line 1: ")})
				continue
			}
			co.set = append(co.set, rs...)
			for _, r := range rs {
				rule := CodeownerRule{Pattern: r.RawPattern(), Owners: []string{}, Line: n}
				for _, o := range r.Owners {
					rule.Owners = append(rule.Owners, o.String())
				}
				co.Rules = append(co.Rules, rule)
			}
		}
		return co
	}
	return nil
}

// FirstOwner is the owner of the repository as a whole: the last rule matching the
// root wins in CODEOWNERS, so a catch-all "*" near the end decides; without one,
// the first owner named.
func (c *Codeowners) FirstOwner() string {
	if r, ok := c.RuleOf(RootPath); ok {
		return r.Owners[0]
	}
	if c == nil {
		return ""
	}
	for _, r := range c.Rules {
		if len(r.Owners) > 0 {
			return r.Owners[0]
		}
	}
	return ""
}

// OwnerOf is the first owner of a directory (RootPath for the root) by the
// CODEOWNERS rule GitHub applies to the files in it.
func (c *Codeowners) OwnerOf(dir string) string {
	if dir == RootPath {
		return c.FirstOwner()
	}
	if r, ok := c.RuleOf(dir); ok {
		return r.Owners[0]
	}
	return ""
}

// RuleOf is the CODEOWNERS rule GitHub applies to the files of a directory (the
// last one matching, with owners); for the root, the catch-all that FirstOwner
// reads.
func (c *Codeowners) RuleOf(dir string) (CodeownerRule, bool) {
	if c == nil {
		return CodeownerRule{}, false
	}
	for i := len(c.Rules) - 1; i >= 0; i-- {
		r := c.Rules[i]
		if len(r.Owners) == 0 {
			continue
		}
		if dir == RootPath {
			if r.Pattern == "*" || r.Pattern == "/" || r.Pattern == "/*" || r.Pattern == "**" {
				return r, true
			}
		} else if ok, _ := c.set[i].Match(dir + "/_"); ok {
			return r, true
		}
	}
	return CodeownerRule{}, false
}
