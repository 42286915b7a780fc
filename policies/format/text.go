package format

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goldenpath/goldenpath/policies"
)

// textWriter writes a report for people: a header with the score, then each aspect's
// rules with a status mark, what is wrong, where, and how to fix it.
type textWriter struct{ opts Options }

const defaultWidth = 80

// maxFilesShown keeps a rule that lists hundreds of files from burying the others.
const maxFilesShown = 10

var statusMarks = map[policies.Status]string{
	policies.StatusPass:  "✓",
	policies.StatusFail:  "✗",
	policies.StatusError: "!",
	policies.StatusSkip:  "–",
}

// ANSI styles, used only with Options.Color.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiBlue    = "\x1b[34m"
	ansiMagenta = "\x1b[35m"
)

func (t textWriter) Write(w io.Writer, ev *policies.Evaluation) error {
	if ev == nil {
		return errNoEvaluation
	}
	p := &textPrinter{color: t.opts.Color, width: t.opts.Width}
	if p.width <= 0 {
		p.width = defaultWidth
	}
	p.header(ev)
	if len(ev.Results) == 0 {
		p.line("", "")
		p.line("", "No rules were evaluated.")
	}
	for _, sec := range sections(ev) {
		if c := sec.component; c != nil {
			s := c.Summary
			p.line("", "")
			p.line("", p.style("Component "+componentName(c), ansiBold))
			p.block("", fmt.Sprintf("%s · %d of %d component rules pass · score %s%%",
				componentAbout(c), s.Passed, s.Applicable, strconv.FormatFloat(s.Score, 'f', -1, 64)), "")
		} else if len(ev.Components) > 1 {
			p.line("", "")
			p.line("", p.style(fmt.Sprintf("Repository rules (%d components below)", len(ev.Components)), ansiBold))
		}
		for _, g := range byAspect(sec.results) {
			p.aspect(g)
		}
	}
	p.notes(ev.Notes)
	p.problems(ev.Problems)
	p.expired(ev.ExpiredExemptions)
	if _, err := io.WriteString(w, p.b.String()); err != nil {
		return fmt.Errorf("write text: %w", err)
	}
	return nil
}

type textPrinter struct {
	b     strings.Builder
	color bool
	width int
}

// style wraps s in an ANSI style when colour is on.
func (p *textPrinter) style(s, ansi string) string {
	if !p.color || ansi == "" || s == "" {
		return s
	}
	return ansi + s + ansiReset
}

func (p *textPrinter) line(indent, s string) {
	if s != "" {
		p.b.WriteString(indent)
		p.b.WriteString(s)
	}
	p.b.WriteByte('\n')
}

func (p *textPrinter) header(ev *policies.Evaluation) {
	p.line("", p.style("Golden path: "+oneLine(ev.Repository), ansiBold))
	if len(ev.Components) == 1 {
		p.block("", "Component "+componentName(&ev.Components[0])+" · "+componentAbout(&ev.Components[0]), "")
	} else {
		about := "Component type: " + oneLine(ev.ComponentType)
		if len(ev.Components) > 1 {
			about = fmt.Sprintf("%d components; root type: %s", len(ev.Components), oneLine(ev.ComponentType))
		}
		if ev.Owner != "" {
			about += " · owner: " + oneLine(ev.Owner)
		}
		p.line("", about)
	}
	s := ev.Summary
	p.line("", fmt.Sprintf("%s · score %s%%",
		p.style(fmt.Sprintf("%d of %d golden-path rules pass", s.Passed, s.Applicable), ansiBold),
		strconv.FormatFloat(s.Score, 'f', -1, 64)))
	var counts []string
	if s.Failed > 0 {
		counts = append(counts, p.style(fmt.Sprintf("%d failed", s.Failed), ansiRed))
	}
	if s.Errored > 0 {
		counts = append(counts, p.style(fmt.Sprintf("%d errored", s.Errored), ansiMagenta))
	}
	if s.Skipped > 0 {
		skipped := fmt.Sprintf("%d skipped", s.Skipped)
		if s.Exempt > 0 {
			skipped += fmt.Sprintf(" (%d exempt)", s.Exempt)
		}
		if s.NotJudged > 0 {
			skipped += fmt.Sprintf(" (%d not judged)", s.NotJudged)
		}
		counts = append(counts, skipped)
	}
	if len(counts) > 0 {
		p.line("", strings.Join(counts, ", "))
	}
	if ev.Partial != "" {
		p.line("", p.style("Partial: "+oneLine(ev.Partial)+".", ansiYellow))
		p.line("", "A rule that would fail but whose evidence may be in what was not seen is not judged.")
	}
}

func (p *textPrinter) aspect(g aspectGroup) {
	passed, applicable := 0, 0
	for _, r := range g.results {
		switch r.Status {
		case policies.StatusPass:
			passed++
			applicable++
		case policies.StatusFail, policies.StatusError:
			applicable++
		}
	}
	p.line("", "")
	title := strings.ToUpper(g.aspect[:1]) + g.aspect[1:]
	counts := fmt.Sprintf("%d of %d pass", passed, applicable)
	if applicable == 0 {
		counts = "all skipped"
	}
	p.line("", p.style(fmt.Sprintf("%s (%s)", title, counts), ansiBold))
	for _, r := range g.results {
		p.result(r)
	}
}

func (p *textPrinter) result(r policies.Result) {
	mark, ok := statusMarks[r.Status]
	if !ok {
		mark = "?"
	}
	head := p.style(oneLine(r.Rule), ansiBold) + "  " + oneLine(r.Title)
	headWidth := utf8.RuneCountInString(oneLine(r.Rule) + "  " + oneLine(r.Title))
	if r.Status == policies.StatusFail || r.Status == policies.StatusError {
		tag := "[" + oneLine(string(r.Severity)) + "]"
		head += "  " + p.style(tag, severityStyle(r.Severity))
		headWidth += 2 + utf8.RuneCountInString(tag)
	}
	markStyle := map[policies.Status]string{
		policies.StatusPass:  ansiGreen,
		policies.StatusFail:  severityStyle(r.Severity),
		policies.StatusError: ansiMagenta,
		policies.StatusSkip:  ansiDim,
	}[r.Status]
	if headWidth+4 <= p.width {
		p.line("  ", p.style(mark, markStyle)+" "+head)
	} else {
		// Too long for one line: wrap the plain text, losing only the bold on the ID.
		plain := oneLine(r.Rule) + "  " + oneLine(r.Title)
		if r.Status == policies.StatusFail || r.Status == policies.StatusError {
			plain += "  [" + oneLine(string(r.Severity)) + "]"
		}
		// The ID keeps its two spaces before the title: it is one "word" with a trailing space.
		words := append([]string{oneLine(r.Rule) + " "}, strings.Fields(plain)[1:]...)
		for i, l := range wrapWords(words, p.width-4) {
			if i == 0 {
				p.line("  ", p.style(mark, markStyle)+" "+l)
			} else {
				p.line("    ", l)
			}
		}
	}

	const indent = "    "
	msg := clean(r.Message)
	if r.Status == policies.StatusSkip && r.Exempt {
		msg = "exempt: " + msg
	}
	if strings.TrimSpace(msg) != "" && (r.Status != policies.StatusPass || oneLine(msg) != oneLine(r.Title)) {
		dim := ""
		if r.Status == policies.StatusSkip {
			dim = ansiDim
		}
		p.block(indent, msg, dim)
	}
	for i, f := range r.Files {
		if i == maxFilesShown {
			p.line(indent, fmt.Sprintf("… and %d more files", len(r.Files)-maxFilesShown))
			break
		}
		p.line(indent, "at "+p.style(fileText(f), ansiBlue))
	}
	if r.Status == policies.StatusFail && strings.TrimSpace(r.Remediation) != "" {
		p.line(indent, p.style("How to fix:", ansiBold))
		p.block(indent+"  ", clean(strings.TrimRight(r.Remediation, "\n")), "")
	}
}

func severityStyle(s policies.Severity) string {
	switch s {
	case policies.SeverityError:
		return ansiRed
	case policies.SeverityWarning:
		return ansiYellow
	}
	return ansiBlue
}

// location is "path:line", or the path alone when the line is unknown.
func location(path string, line int) string {
	if line > 0 {
		return pathText(path) + ":" + strconv.Itoa(line)
	}
	return pathText(path)
}

func (p *textPrinter) problems(problems []policies.Problem) {
	if len(problems) == 0 {
		return
	}
	p.line("", "")
	p.line("", p.style(fmt.Sprintf("Problems (%d)", len(problems)), ansiBold))
	for _, pr := range problems {
		p.line("  ", p.style("!", ansiMagenta)+" "+p.style(location(pr.Source, pr.Line), ansiBlue))
		p.block("    ", clean(pr.Message), "")
	}
}

func (p *textPrinter) notes(notes []policies.FileError) {
	if len(notes) == 0 {
		return
	}
	p.line("", "")
	p.line("", p.style(fmt.Sprintf("Catalog notes (%d)", len(notes)), ansiBold))
	for _, n := range notes {
		where := ""
		if n.Path != "" {
			where = location(n.Path, n.Line)
		}
		p.line("  ", strings.TrimSpace("– "+p.style(where, ansiBlue)))
		p.block("    ", clean(n.Message), "")
	}
}

func (p *textPrinter) expired(expired []policies.ExpiredExemption) {
	if len(expired) == 0 {
		return
	}
	p.line("", "")
	p.line("", p.style("Expired exemptions (no longer applied)", ansiBold))
	for _, e := range expired {
		p.line("  ", fmt.Sprintf("– %s  expired %s", p.style(oneLine(e.Rule), ansiBold), oneLine(e.Expires)))
		if strings.TrimSpace(e.Reason) != "" {
			p.block("    ", clean(e.Reason), ansiDim)
		}
	}
}

// block writes multi-line text under indent. Prose lines are wrapped at the width;
// lines that start with white space, and lines inside ``` fences, are written as
// they are, since they are templates meant to be pasted. Every line is indented, so
// text from a repository cannot pass itself off as a line of the report.
func (p *textPrinter) block(indent, text, ansi string) {
	fenced := false
	for _, raw := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "```") {
			fenced = !fenced
			p.line(indent, p.style(raw, ansi))
			continue
		}
		if fenced || raw == "" || raw[0] == ' ' || raw[0] == '\t' {
			p.line(indent, p.style(strings.TrimRight(raw, " \t"), ansi))
			continue
		}
		for _, l := range wrapWords(strings.Fields(raw), p.width-utf8.RuneCountInString(indent)) {
			p.line(indent, p.style(l, ansi))
		}
	}
}

// wrapWords fills lines of at most width runes; a word longer than that gets a line
// of its own rather than being cut.
func wrapWords(words []string, width int) []string {
	width = max(width, 20)
	var lines []string
	var cur strings.Builder
	n := 0
	for _, w := range words {
		wn := utf8.RuneCountInString(w)
		if n > 0 && n+1+wn > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(w)
		n += wn
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
