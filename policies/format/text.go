package format

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goldenpath/goldenpath/policies"
)

// textWriter writes a report for people reading a terminal from the bottom up:
// what fails first, most severe first, with how to fix it; then one line per
// aspect for the rest; the verdict and the reason for the exit status last.
type textWriter struct{ opts Options }

const defaultWidth = 80

// maxFilesShown keeps a rule that lists hundreds of files from burying the others.
const maxFilesShown = 10

// maxRulesNamed keeps the verdict to a line or two in a repository failing many rules.
const maxRulesNamed = 8

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
	if !t.opts.Quiet {
		p.header(ev)
	}
	p.failures(ev)
	if !t.opts.Quiet {
		p.aspects(ev)
		p.components(ev)
		p.notes(ev.Notes)
		p.expired(ev.ExpiredExemptions)
	}
	p.problems(ev.Problems)
	p.verdict(ev, t.opts)
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

// heading starts a part of the report after a blank line.
func (p *textPrinter) heading(s string) {
	if p.b.Len() > 0 {
		p.line("", "")
	}
	p.line("", p.style(s, ansiBold))
}

func (p *textPrinter) header(ev *policies.Evaluation) {
	p.line("", p.style("Golden path: "+oneLine(ev.Repository), ansiBold))
	switch len(ev.Components) {
	case 1:
		p.block("", "Component "+componentName(&ev.Components[0])+" · "+componentAbout(&ev.Components[0]), "")
	default:
		about := "Component type: " + oneLine(ev.ComponentType)
		if len(ev.Components) > 1 {
			about = fmt.Sprintf("%d components; root type: %s", len(ev.Components), oneLine(ev.ComponentType))
		}
		if ev.Owner != "" {
			about += " · owner: " + oneLine(ev.Owner)
		}
		p.line("", about)
	}
	if ev.Partial != "" {
		p.line("", p.style("Partial: "+oneLine(ev.Partial)+".", ansiYellow))
		p.line("", "A rule that would fail but whose evidence may be in what was not seen is not judged.")
	}
}

// finding is a failed or errored result and the component it is about (nil for
// a repository rule, or when the repository has one component).
type finding struct {
	result    policies.Result
	component *policies.Component
}

// findings lists what fails, most severe first; a failure before a rule error
// of the same severity, otherwise in evaluation order.
func findings(ev *policies.Evaluation) []finding {
	var out []finding
	for _, sec := range sections(ev) {
		for _, r := range sec.results {
			if r.Status == policies.StatusFail || r.Status == policies.StatusError {
				out = append(out, finding{result: r, component: sec.component})
			}
		}
	}
	rank := func(f finding) int {
		sev := slices.Index(policies.Severities, f.result.Severity)
		if sev < 0 {
			sev = len(policies.Severities)
		}
		status := 0
		if f.result.Status == policies.StatusError {
			status = 1
		}
		return sev*2 + status
	}
	slices.SortStableFunc(out, func(a, b finding) int { return cmp.Compare(rank(a), rank(b)) })
	return out
}

func (p *textPrinter) failures(ev *policies.Evaluation) {
	found := findings(ev)
	if len(found) == 0 {
		return
	}
	p.heading(fmt.Sprintf("What fails (%d), most severe first", len(found)))
	for _, f := range found {
		p.result(f)
	}
}

func (p *textPrinter) result(f finding) {
	r := f.result
	tag := oneLine(string(r.Severity))
	if r.Status == policies.StatusError {
		tag += ", rule error"
	}
	tag = "[" + tag + "]"
	markStyle := severityStyle(r.Severity)
	if r.Status == policies.StatusError {
		markStyle = ansiMagenta
	}
	id, title := oneLine(r.Rule), oneLine(r.Title)
	mark := p.style(statusMarks[r.Status], markStyle)
	if utf8.RuneCountInString(id+"  "+title+"  "+tag)+4 <= p.width {
		p.line("  ", mark+" "+p.style(id, ansiBold)+"  "+title+"  "+p.style(tag, markStyle))
	} else {
		// Too long for one line: wrap the plain text, losing only the styles.
		// The ID keeps its two spaces before the title: one "word" with a trailing space.
		words := append([]string{id + " "}, strings.Fields(title+" "+tag)...)
		for i, l := range wrapWords(words, p.width-4) {
			if i == 0 {
				p.line("  ", mark+" "+l)
			} else {
				p.line("    ", l)
			}
		}
	}

	const indent = "    "
	if f.component != nil {
		p.block(indent, "in component "+componentName(f.component), ansiBold)
	}
	if msg := clean(r.Message); strings.TrimSpace(msg) != "" {
		p.block(indent, msg, "")
	}
	for i, file := range r.Files {
		if i == maxFilesShown {
			p.line(indent, fmt.Sprintf("… and %d more files", len(r.Files)-maxFilesShown))
			break
		}
		p.line(indent, "at "+p.style(fileText(file), ansiBlue))
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

// aspects summarises every repository-level result in one line per aspect:
// the failures are above, so this is where passing and skipped rules show.
func (p *textPrinter) aspects(ev *policies.Evaluation) {
	groups := byAspect(ev.Results)
	if len(groups) == 0 {
		p.heading("No rules were evaluated.")
		return
	}
	p.heading("By aspect")
	nameWidth := 0
	for _, g := range groups {
		nameWidth = max(nameWidth, utf8.RuneCountInString(g.aspect))
	}
	for _, g := range groups {
		s := policies.Summarize(g.results)
		mark, style := statusMarks[policies.StatusPass], ansiGreen
		switch {
		case s.Applicable == 0:
			mark, style = statusMarks[policies.StatusSkip], ansiDim
		case s.Passed < s.Applicable:
			mark, style = statusMarks[policies.StatusFail], ansiRed
		}
		counts := fmt.Sprintf("%d of %d pass", s.Passed, s.Applicable)
		if s.Applicable == 0 {
			counts = "all skipped"
		}
		var more []string
		if s.Failed > 0 {
			more = append(more, fmt.Sprintf("%d fail", s.Failed))
		}
		if s.Errored > 0 {
			more = append(more, fmt.Sprintf("%d rule error", s.Errored))
		}
		if s.Exempt > 0 {
			more = append(more, fmt.Sprintf("%d exempt", s.Exempt))
		}
		if s.NotJudged > 0 {
			more = append(more, fmt.Sprintf("%d not judged", s.NotJudged))
		}
		if other := s.Skipped - s.Exempt - s.NotJudged; other > 0 {
			more = append(more, fmt.Sprintf("%d not applicable", other))
		}
		name := strings.ToUpper(g.aspect[:1]) + g.aspect[1:]
		name += strings.Repeat(" ", nameWidth-utf8.RuneCountInString(name))
		text := counts
		if len(more) > 0 {
			text += " · " + strings.Join(more, " · ")
		}
		p.line("  ", p.style(mark, style)+" "+name+"  "+text)
	}
}

// components lists each component's own score when there are several.
func (p *textPrinter) components(ev *policies.Evaluation) {
	if len(ev.Components) <= 1 {
		return
	}
	p.heading(fmt.Sprintf("Components (%d)", len(ev.Components)))
	for i := range ev.Components {
		c := &ev.Components[i]
		p.block("  ", componentName(c)+" · "+componentAbout(c), "")
		p.line("    ", fmt.Sprintf("%d of %d component rules pass · score %s%%",
			c.Summary.Passed, c.Summary.Applicable, strconv.FormatFloat(c.Summary.Score, 'f', -1, 64)))
	}
}

// verdict ends the report: the score, then whether the run fails and why, which
// is what decides the exit status.
func (p *textPrinter) verdict(ev *policies.Evaluation, opts Options) {
	s := ev.Summary
	p.heading(fmt.Sprintf("%s: %d of %d golden-path rules pass · score %s%%",
		oneLine(ev.Repository), s.Passed, s.Applicable, strconv.FormatFloat(s.Score, 'f', -1, 64)))
	failOn := opts.failOn()
	at := "at " + string(failOn) + " severity"
	if failOn != policies.SeverityError {
		at += " or above"
	}
	var failing, below, errored []string
	for _, r := range ev.Results {
		switch {
		case opts.failsRun(r):
			failing = append(failing, oneLine(r.Rule))
		case r.Status == policies.StatusFail:
			below = append(below, oneLine(r.Rule))
		case r.Status == policies.StatusError:
			errored = append(errored, oneLine(r.Rule))
		}
	}
	if len(errored) > 0 {
		p.block("", fmt.Sprintf("%s could not be evaluated (%s); a rule error does not change the exit status.",
			count(len(errored), "rule"), ruleList(errored)), ansiMagenta)
	}
	if n := len(ev.Problems); n > 0 {
		p.block("", fmt.Sprintf("%s listed above; %s not change the exit status.",
			count(n, "configuration problem"), map[bool]string{true: "it does", false: "they do"}[n == 1]), ansiMagenta)
	}
	exit := "Exit status 0."
	if len(failing) > 0 {
		exit = "Exit status 1."
		if opts.ExitZero {
			exit = "Exit status 0 (--exit-zero)."
		}
		p.outcome(statusMarks[policies.StatusFail]+" FAIL", ansiRed, fmt.Sprintf("%s %s %s: %s. %s",
			count(len(failing), "rule"), verb(len(failing), "fails", "fail"), at, ruleList(failing), exit))
		return
	}
	msg := "no rule fails " + at
	if len(below) > 0 {
		msg += fmt.Sprintf(" (%s below it: %s)", verb(len(below), "one fails", strconv.Itoa(len(below))+" fail"), ruleList(below))
	}
	p.outcome(statusMarks[policies.StatusPass]+" PASS", ansiGreen, msg+". "+exit)
}

// outcome writes "label: text" wrapped at the width, the label styled.
func (p *textPrinter) outcome(label, ansi, text string) {
	for i, l := range wrapWords(strings.Fields(label+": "+text), p.width) {
		if i == 0 {
			l = p.style(label, ansiBold+ansi) + strings.TrimPrefix(l, label)
		}
		p.line("", l)
	}
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ruleList names rules, at most maxRulesNamed of them.
func ruleList(ids []string) string {
	if len(ids) <= maxRulesNamed {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:maxRulesNamed], ", ") + fmt.Sprintf(" and %d more", len(ids)-maxRulesNamed)
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
	p.heading(fmt.Sprintf("Configuration problems (%d)", len(problems)))
	for _, pr := range problems {
		p.line("  ", p.style(statusMarks[policies.StatusError], ansiMagenta)+" "+p.style(location(pr.Source, pr.Line), ansiBlue))
		p.block("    ", clean(pr.Message), "")
	}
}

func (p *textPrinter) notes(notes []policies.FileError) {
	if len(notes) == 0 {
		return
	}
	p.heading(fmt.Sprintf("Catalog notes (%d)", len(notes)))
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
	p.heading("Expired exemptions (no longer applied)")
	for _, e := range expired {
		p.line("  ", fmt.Sprintf("– %s  expired %s", p.style(oneLine(e.Rule), ansiBold), oneLine(e.Expires)))
		if strings.TrimSpace(e.Reason) != "" {
			p.block("    ", clean(e.Reason), ansiDim)
		}
	}
}

// codeIndent sets a code block off from the prose around it, in place of the
// Markdown fence a terminal would print literally.
const codeIndent = "    "

// block writes multi-line text under indent. Prose lines are wrapped at the
// width. A ``` fence is dropped and the code inside it is indented by
// codeIndent and written as it is, since it is a template meant to be pasted;
// so are lines that start with white space. Every line is indented, so text
// from a repository cannot pass itself off as a line of the report.
func (p *textPrinter) block(indent, text, ansi string) {
	fenced := false
	for _, raw := range strings.Split(text, "\n") {
		raw = strings.TrimRight(raw, " \t")
		if strings.HasPrefix(strings.TrimSpace(raw), "```") {
			fenced = !fenced
			continue
		}
		switch {
		case fenced && raw != "":
			p.line(indent+codeIndent, p.style(raw, ansi))
		case fenced || raw == "" || raw[0] == ' ' || raw[0] == '\t':
			p.line(indent, p.style(raw, ansi))
		default:
			for _, l := range wrapWords(strings.Fields(raw), p.width-utf8.RuneCountInString(indent)) {
				p.line(indent, p.style(l, ansi))
			}
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
