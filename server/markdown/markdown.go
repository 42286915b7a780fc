// Package markdown makes untrusted text (paths, YAML values, rule messages, custom
// rule titles, repository names) inert in GitHub-flavoured Markdown, for the check
// run, the sticky comment and the adoption report alike: no raw HTML, no emphasis,
// links or autolinks, no @mention or team pings, no broken tables.
package markdown

import (
	"strconv"
	"strings"
)

// zwsp (zero-width space) splits what GitHub would otherwise recognise: an
// @mention, an autolinked URL ("https://", "www.").
const zwsp = "\u200b"

var text = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "~", `\~`, "#", `\#`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"|", `\|`,
	"@", "@"+zwsp,
	"://", ":"+zwsp+"//",
	"www.", "www"+zwsp+".",
	"\r", "",
	"\n", "<br>",
)

// Text makes untrusted text inert in a paragraph or a table cell; line breaks
// become <br> so that a value stays in its cell.
func Text(s string) string { return text.Replace(s) }

var code = strings.NewReplacer("`", "'", "\r", " ", "\n", " ", "|", `\|`, "@", "@"+zwsp)

// Code puts untrusted text in a code span, where nothing renders; a backtick
// (which would end the span) becomes a quote and a pipe is escaped for tables.
func Code(s string) string { return "`" + code.Replace(s) + "`" }

// Count writes n with thousands separators.
func Count(n int) string {
	if n < 0 {
		return "-" + Count(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Plural is n things, counted with Count: "1 repository", "1,200 repositories".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}
