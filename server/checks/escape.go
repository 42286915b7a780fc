package checks

import "strings"

// escaper makes text from repositories (paths, YAML values, messages) inert in
// GitHub markdown: no raw HTML, no @mention or team pings, no broken tables.
var escaper = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	"|", "\\|",
	"@", "@\u200b", // a zero-width space after @ stops GitHub from pinging
)

// Escape makes untrusted text safe for a markdown paragraph or table cell.
func Escape(s string) string {
	s = escaper.Replace(s)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", "<br>")
}

// codeSpan makes untrusted text safe inside a single-backtick code span.
func codeSpan(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "@", "@\u200b")
}
