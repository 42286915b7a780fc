package markdown

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// render is GitHub-flavoured Markdown as goldmark's GFM extensions implement it
// (tables, strikethrough, autolinks), raw HTML kept as GitHub keeps it.
func render(t *testing.T, md string) string {
	t.Helper()
	var b bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTextIsInert(t *testing.T) {
	tests := []struct {
		name, in string
		absent   []string // in the rendered HTML
	}{
		{"emphasis", "files named *slo*.yaml or __init__ files", []string{"<em>", "<strong>"}},
		{"link", "[click](https://evil.example)", []string{"<a "}},
		{"bare URL", "see https://evil.example/x", []string{"<a "}},
		{"www autolink", "see www.evil.example", []string{"<a "}},
		{"raw HTML", "<img src=x onerror=alert(1)><b>bold</b>", []string{"<img", "<b>"}},
		{"strikethrough", "~~gone~~", []string{"<del>"}},
		{"code span", "a `code` span", []string{"<code>"}},
		{"heading", "# Title", []string{"<h1>"}},
		{"image", "![x](https://evil.example/x.png)", []string{"<img"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Alone on its line (where block syntax counts) and inside a sentence.
			html := render(t, Text(tt.in)+"\n\nbefore "+Text(tt.in)+" after\n")
			for _, a := range tt.absent {
				if strings.Contains(html, a) {
					t.Fatalf("Text(%q) renders %q:\n%s", tt.in, a, html)
				}
			}
		})
	}
}

func TestTextKeepsTablesAndMentions(t *testing.T) {
	cell := Text("a | b\nc @acme/team")
	html := render(t, "| h |\n|---|\n| "+cell+" |\n")
	if strings.Count(html, "<td>") != 1 {
		t.Fatalf("the value left its cell:\n%s", html)
	}
	if strings.Contains(cell, "@acme") {
		t.Fatalf("mention kept: %q", cell)
	}
}

func TestCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"catalog.owner", "`catalog.owner`"},
		{"x`y", "`x'y`"},
		{"a|b", "`a\\|b`"},
		{"two\nlines", "`two lines`"},
	}
	for _, tt := range tests {
		if got := Code(tt.in); got != tt.want {
			t.Errorf("Code(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{
		{0, "0 repositories"}, {1, "1 repository"}, {2, "2 repositories"},
		{999, "999 repositories"}, {1000, "1,000 repositories"}, {1234567, "1,234,567 repositories"},
		{-1200, "-1,200 repositories"},
	} {
		if got := Plural(tt.n, "repository", "repositories"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
